#!/usr/bin/env python3
"""Writes burg's proto/zitadel/*.proto from the API fact sheets.

The sheets (ZITADEL's Admin and Management API v1, described in our own
words) live beside the repository in ../shared/api/v1:

  zitadel.admin.v1.AdminService.md,
  zitadel.management.v1.ManagementService.md   one table row per RPC: route,
                                               body, permission, deprecated,
                                               request and response
  messages.md                                  every message and enum the two
                                               services reach
  newer-fields.md                              fields added since the sheets

This script writes one .proto file per package (zitadel.admin.v1 ->
admin.proto, ...) with every message and enum (nested ones nested), both
services with every RPC, its google.api.http route and its
zitadel.v1.auth_option permission. A field's `validate:` rule travels as the
string option (zitadel.v1.validate). The files options.proto and error.proto
and proto/google/ are written by hand and left alone.

Usage: scripts/proto_from_sheets.py [--sheets DIR] [--out DIR] [--check]
  --check  write nothing; exit 1 when a file would change.

Python 3 standard library only; the output depends only on the sheets, so
two runs give identical files.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHEETS = REPO.parent / "shared" / "api" / "v1"
DEFAULT_OUT = REPO / "proto" / "zitadel"
# The v2 services' sheets: the login services' beside the v1 sheets, and the
# ones we wrote ourselves from ZITADEL's proto files (docs/api/v2).
LOGIN_SHEETS = "login"
OWN_V2_SHEETS = REPO / "docs" / "api" / "v2"

SERVICES = [
    ("zitadel.admin.v1", "AdminService", "zitadel.admin.v1.AdminService.md"),
    ("zitadel.management.v1", "ManagementService", "zitadel.management.v1.ManagementService.md"),
]

# The v2 services burg serves, and which of their RPCs: (package, service,
# sheet directory, RPCs). Only these RPCs and the messages they reach are
# written; the rest of each service comes with the sign-in work.
V2_SERVICES = [
    ("zitadel.settings.v2", "SettingsService", LOGIN_SHEETS, ["GetSecuritySettings", "SetSecuritySettings"]),
    ("zitadel.org.v2", "OrganizationService", "own", [
        "AddOrganization", "UpdateOrganization", "DeleteOrganization", "ListOrganizations",
        "AddOrganizationDomain", "DeleteOrganizationDomain", "GenerateOrganizationDomainValidation",
        "ListOrganizationDomains", "VerifyOrganizationDomain",
        "SetOrganizationMetadata", "ListOrganizationMetadata", "DeleteOrganizationMetadata",
    ]),
    ("zitadel.feature.v2", "FeatureService", "own", [
        "GetInstanceFeatures", "SetInstanceFeatures", "ResetInstanceFeatures",
        "GetSystemFeatures", "SetSystemFeatures", "ResetSystemFeatures",
    ]),
    ("zitadel.instance.v2", "InstanceService", "own", [
        "AddCustomDomain", "ListCustomDomains", "RemoveCustomDomain",
        "AddTrustedDomain", "ListTrustedDomains", "RemoveTrustedDomain",
    ]),
    ("zitadel.project.v2", "ProjectService", "own", ["CreateProject", "UpdateProject", "DeleteProject", "GetProject"]),
    ("zitadel.application.v2", "ApplicationService", "own", [
        "CreateApplication", "UpdateApplication", "DeleteApplication", "GetApplication", "GenerateClientSecret",
    ]),
    ("zitadel.webkey.v2", "WebKeyService", LOGIN_SHEETS, ["CreateWebKey", "ActivateWebKey", "DeleteWebKey", "ListWebKeys"]),
    ("zitadel.user.v2", "UserService", LOGIN_SHEETS, [
        "SendEmailCode", "ResendEmailCode", "VerifyEmail", "ResendPhoneCode", "VerifyPhone",
    ]),
]

# The permission of a v2 RPC whose sheet leaves it empty: ZITADEL writes it
# in its own option (`zitadel.protoc_gen_zitadel.v2.options`), which the
# login sheets do not carry. Read from ZITADEL's settings_service.proto and
# webkey_service.proto.
V2_PERMISSIONS = {
    ("SettingsService", "GetSecuritySettings"): "iam.policy.read",
    ("SettingsService", "SetSecuritySettings"): "iam.policy.write",
    ("WebKeyService", "CreateWebKey"): "iam.web_key.write",
    ("WebKeyService", "ActivateWebKey"): "iam.web_key.write",
    ("WebKeyService", "DeleteWebKey"): "iam.web_key.delete",
    ("WebKeyService", "ListWebKeys"): "iam.web_key.read",
    # user_service.proto: only `authenticated`; the commands check the user
    # (internal/command/user_v2_email.go, user_v2_phone.go).
    ("UserService", "SendEmailCode"): "authenticated",
    ("UserService", "ResendEmailCode"): "authenticated",
    ("UserService", "VerifyEmail"): "authenticated",
    ("UserService", "ResendPhoneCode"): "authenticated",
    ("UserService", "VerifyPhone"): "authenticated",
}

# Package -> file under proto/zitadel/. Packages not listed here use the
# second component of their name (zitadel.policy.v1 -> policy.proto).
FILE_OF_PACKAGE = {
    "zitadel.v1": "object.proto",
    "zitadel.v1.v1": "v1.proto",
    "zitadel.authn.v1": "auth_n_key.proto",
}

# The well-known types the sheets use and the file that defines each.
WELL_KNOWN = {
    "google.protobuf.Duration": "google/protobuf/duration.proto",
    "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
    "google.protobuf.Struct": "google/protobuf/struct.proto",
    "google.protobuf.Value": "google/protobuf/struct.proto",
    "google.protobuf.ListValue": "google/protobuf/struct.proto",
    "google.protobuf.NullValue": "google/protobuf/struct.proto",
}

# Written by hand, never by this script.
HAND_WRITTEN = {"options.proto", "error.proto"}
OPTIONS_IMPORT = "zitadel/options.proto"
ANNOTATIONS_IMPORT = "google/api/annotations.proto"

SCALARS = {
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
    "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
}

HEADER = """\
syntax = "proto3";

// Generated by scripts/proto_from_sheets.py from the API fact sheets
// (shared/api, docs/api/v2). Do not edit: change the script and run it again.
"""


class SheetError(Exception):
    """A sheet line the script does not understand, or facts that disagree."""


@dataclass
class Field:
    number: int
    name: str
    json_name: str
    type: str  # a scalar, a full type name, or "map<K, V>"
    label: str = ""  # "", "repeated" or "optional"
    oneof: str | None = None
    deprecated: bool = False
    validate: str | None = None
    burg: bool = False  # one of BURG_FIELDS, not ZITADEL's


@dataclass
class Message:
    full_name: str
    fields: list[Field] = field(default_factory=list)


@dataclass
class Enum:
    full_name: str
    values: list[tuple[str, int]]


@dataclass
class Rpc:
    name: str
    verb: str
    path: str
    body: str
    permission: str
    deprecated: bool
    request: str
    response: str


@dataclass
class Api:
    messages: dict[str, Message]
    enums: dict[str, Enum]
    services: list[tuple[str, str, list[Rpc]]]  # (package, service, rpcs)


# --- reading the sheets -----------------------------------------------------

FIELD_RE = re.compile(
    r"^- (?P<number>\d+) `(?P<name>\w+)` \(json `(?P<json>\w+)`\): "
    r"(?P<label>repeated |optional )?`(?P<type>[^`]+)`"
    r"(?: \(oneof `(?P<oneof>\w+)`\))?"
    r"(?P<deprecated> deprecated)?"
    r"(?: — validate: `(?P<validate>.+)`)?$"
)
ENUM_RE = re.compile(r"^- `(?P<name>[\w.]+)`: (?P<values>.+)$")
VALUE_RE = re.compile(r"^`?(?P<name>\w+)`?=(?P<number>-?\d+)$")
HEADING_RE = re.compile(r"^### `(?P<name>[\w.]+)`$")


def read_messages(path: Path) -> tuple[dict[str, Message], dict[str, Enum]]:
    messages: dict[str, Message] = {}
    enums: dict[str, Enum] = {}
    section = None
    current: Message | None = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{lineno}"
        if line.startswith("## "):
            section = line[3:].strip()
            current = None
            continue
        if not line.strip():
            continue
        if section == "Messages":
            heading = HEADING_RE.match(line)
            if heading:
                name = heading["name"]
                if name in messages:
                    raise SheetError(f"{where}: message {name} twice")
                current = messages[name] = Message(name)
                continue
            if current is None:
                raise SheetError(f"{where}: a line outside a message: {line!r}")
            if line == "- (no fields)":
                continue
            m = FIELD_RE.match(line)
            if not m:
                raise SheetError(f"{where}: not a field: {line!r}")
            current.fields.append(
                Field(
                    number=int(m["number"]),
                    name=m["name"],
                    json_name=m["json"],
                    type=m["type"],
                    label=(m["label"] or "").strip(),
                    oneof=m["oneof"],
                    deprecated=bool(m["deprecated"]),
                    validate=m["validate"],
                )
            )
        elif section == "Enums":
            m = ENUM_RE.match(line)
            if not m:
                raise SheetError(f"{where}: not an enum: {line!r}")
            enums[m["name"]] = Enum(m["name"], parse_values(m["values"], where))
    return messages, enums


def parse_values(text: str, where: str) -> list[tuple[str, int]]:
    values = []
    for item in text.split(","):
        m = VALUE_RE.match(item.strip())
        if not m:
            raise SheetError(f"{where}: not an enum value: {item!r}")
        values.append((m["name"], int(m["number"])))
    return values


NEWER_ROW_RE = re.compile(
    r"^\| (?P<messages>[^|]+) \| (?P<number>\d+) \| `(?P<name>\w+)`(?: \(`(?P<json>\w+)`\))? \| "
    r"(?P<label>optional |repeated )?`(?P<type>[^`]+)` \|$"
)
NEWER_ENUM_RE = re.compile(r"`(?P<name>[\w.]+)`: (?P<values>(?:`\w+`=\d+(?:, )?)+)")


def read_newer_fields(path: Path, messages: dict[str, Message], enums: dict[str, Enum]) -> None:
    """Adds the fields (and enums) of newer-fields.md to what messages.md gave."""
    text = path.read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), 1):
        m = NEWER_ROW_RE.match(line)
        if not m:
            continue
        for target in re.findall(r"`([\w.]+)`", m["messages"]):
            message = messages.get(target)
            if message is None:
                raise SheetError(f"{path.name}:{lineno}: no message {target} in messages.md")
            number = int(m["number"])
            if any(f.number == number or f.name == m["name"] for f in message.fields):
                raise SheetError(f"{path.name}:{lineno}: {target} already has field {number} / {m['name']}")
            message.fields.append(
                Field(
                    number=number,
                    name=m["name"],
                    json_name=m["json"] or default_json_name(m["name"]),
                    type=m["type"],
                    label=(m["label"] or "").strip(),
                )
            )
            message.fields.sort(key=lambda f: f.number)
    # Enums are named in the prose below the table, possibly over several lines.
    for m in NEWER_ENUM_RE.finditer(" ".join(text.split())):
        name = m["name"]
        if name in enums:
            raise SheetError(f"{path.name}: enum {name} is in messages.md already")
        enums[name] = Enum(name, parse_values(m["values"], path.name))


ROW_RE = re.compile(r"^\| (?P<cells>.*) \|$")
ROUTE_RE = re.compile(r"^`(?P<verb>GET|PUT|POST|DELETE|PATCH) (?P<path>/[^`\s]*)`$")


def read_service(path: Path) -> list[Rpc]:
    rpcs = []
    header = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = ROW_RE.match(line)
        if not m:
            continue
        cells = [c.strip() for c in m["cells"].split(" | ")]
        if header is None:
            header = cells
            expected = ["RPC", "route", "body", "permission", "deprecated", "tags", "request", "response"]
            if header != expected:
                raise SheetError(f"{path.name}:{lineno}: columns {header}, expected {expected}")
            continue
        if set(m["cells"]) <= {"-", "|", " "}:
            continue
        row = dict(zip(header, cells))
        if len(cells) != len(header):
            raise SheetError(f"{path.name}:{lineno}: {len(cells)} cells")
        # `` (no route): a v2 RPC ZITADEL serves over gRPC and Connect only.
        route = ROUTE_RE.match(row["route"]) if row["route"] != "``" else None
        if not route and (row["route"] != "``" or ".v2." not in path.name):
            raise SheetError(f"{path.name}:{lineno}: not a route: {row['route']!r}")
        body = row["body"].strip("`")
        if row["deprecated"] not in ("", "yes"):
            raise SheetError(f"{path.name}:{lineno}: deprecated is {row['deprecated']!r}")
        rpcs.append(
            Rpc(
                name=row["RPC"],
                verb=route["verb"].lower() if route else "",
                path=route["path"] if route else "",
                body=body,
                permission=row["permission"],
                deprecated=row["deprecated"] == "yes",
                request=row["request"],
                response=row["response"],
            )
        )
    return rpcs


# burg's own fields, in messages ZITADEL defines: numbered from
# BURG_FIRST_FIELD up, so that they can never take a number ZITADEL uses,
# and marked `(zitadel.v1.burg) = true`. ZITADEL's readers skip them as
# unknown fields; the sheets test leaves them out of its comparison.
BURG_FIRST_FIELD = 1000
BURG_FIELDS = [
    # The instance-level section of an export (ARCHITECTURE.md, transfer).
    ("zitadel.admin.v1.ExportDataRequest", Field(1000, "burg_with_instance", "burgWithInstance", "bool")),
    ("zitadel.admin.v1.ExportDataResponse", Field(1000, "burg_instance", "burgInstance", "google.protobuf.Struct")),
    ("zitadel.admin.v1.ImportDataOrg", Field(1000, "burg_instance", "burgInstance", "google.protobuf.Struct")),
    # An application's client id, so that a moved app keeps it (ZITADEL's
    # import makes a new one; ARCHITECTURE.md, apps).
    ("zitadel.v1.v1.DataOIDCApplication", Field(1000, "burg_client_id", "burgClientId", "string")),
    ("zitadel.v1.v1.DataAPIApplication", Field(1000, "burg_client_id", "burgClientId", "string")),
    # An organization's password change message texts, which ZITADEL's
    # DataOrg has no member for (ARCHITECTURE.md, transfer).
    (
        "zitadel.admin.v1.DataOrg",
        Field(
            1000,
            "burg_password_change_messages",
            "burgPasswordChangeMessages",
            "zitadel.management.v1.SetCustomPasswordChangeMessageTextRequest",
            "repeated",
        ),
    ),
]


def add_burg_fields(messages: dict[str, Message]) -> None:
    for target, f in BURG_FIELDS:
        message = messages.get(target)
        if message is None:
            raise SheetError(f"burg field {f.name}: no message {target}")
        if f.number < BURG_FIRST_FIELD or any(g.number == f.number or g.name == f.name for g in message.fields):
            raise SheetError(f"burg field {f.name}: {target} has field {f.number} / {f.name}")
        f.burg = True
        message.fields.append(f)


def read_api(sheets: Path) -> Api:
    messages, enums = read_messages(sheets / "messages.md")
    read_newer_fields(sheets / "newer-fields.md", messages, enums)
    add_burg_fields(messages)
    services = []
    for package, service, sheet in SERVICES:
        services.append((package, service, read_service(sheets / sheet)))
    add_v2(sheets, messages, enums, services)
    api = Api(messages, enums, services)
    check(api)
    return api


def v2_sheet_dir(sheets: Path, where: str) -> Path:
    return sheets.parent / where if where == LOGIN_SHEETS else OWN_V2_SHEETS


def add_v2(sheets: Path, messages: dict[str, Message], enums: dict[str, Enum], services: list) -> None:
    """Adds the served RPCs of each v2 service and every message and enum
    they reach (from the v2 message sheets) to the v1 API read so far."""
    pool_messages: dict[str, Message] = {}
    pool_enums: dict[str, Enum] = {}
    dirs = [v2_sheet_dir(sheets, LOGIN_SHEETS), OWN_V2_SHEETS]
    for directory in dirs:
        m, e = read_messages(directory / "messages.md")
        for name in set(m) & set(pool_messages):
            raise SheetError(f"message {name} is in two v2 sheets")
        pool_messages.update(m)
        pool_enums.update(e)
    wanted: list[str] = []
    for package, service, where, served in V2_SERVICES:
        sheet = v2_sheet_dir(sheets, where) / f"{package}.{service}.md"
        rows = {rpc.name: rpc for rpc in read_service(sheet)}
        rpcs = []
        for name in served:
            rpc = rows.get(name)
            if rpc is None:
                raise SheetError(f"{sheet.name}: no RPC {name}")
            if not rpc.permission:
                rpc.permission = V2_PERMISSIONS.get((service, name), "")
            if not rpc.permission:
                raise SheetError(f"{service}.{name}: no permission in the sheet or in V2_PERMISSIONS")
            rpcs.append(rpc)
            wanted += [f"{package}.{rpc.request}", f"{package}.{rpc.response}"]
        services.append((package, service, rpcs))
    # Everything the served RPCs reach, with the parents of nested types.
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen or name in SCALARS:
            continue
        seen.add(name)
        parent = parent_of(name)
        if parent:
            wanted.append(parent)
        if name in pool_messages:
            message = pool_messages[name]
            for f in message.fields:
                wanted += referenced(f)
            add_same(messages, name, message, lambda a, b: a.fields == b.fields)
        elif name in pool_enums:
            add_same(enums, name, pool_enums[name], lambda a, b: a.values == b.values)
        elif name not in messages and name not in enums:
            raise SheetError(f"v2: no message or enum {name}")


def add_same(into: dict, name: str, value, same) -> None:
    """Adds a v2 sheet's type, or checks that the one known is the same."""
    if name in into:
        if not same(into[name], value):
            raise SheetError(f"{name}: the v1 and v2 sheets differ")
        return
    into[name] = value


# --- checks -----------------------------------------------------------------


def package_of(full_name: str) -> str:
    """The package of a type: its name up to the first capitalised part
    (nested names may be lower case, as `ListEventsRequest.creation_date_range`)."""
    parts = full_name.split(".")
    for i, part in enumerate(parts):
        if part[:1].isupper():
            return ".".join(parts[:i])
    raise SheetError(f"no type name in {full_name}")


def parent_of(full_name: str) -> str | None:
    """The message a nested type lives in, or None for a top-level type."""
    package = package_of(full_name)
    relative = full_name[len(package) + 1 :]
    if "." not in relative:
        return None
    return full_name.rsplit(".", 1)[0]


def map_types(type_: str) -> tuple[str, str] | None:
    m = re.fullmatch(r"map<(\w+), ([\w.]+)>", type_)
    return (m[1], m[2]) if m else None


def referenced(f: Field) -> list[str]:
    """The message and enum names a field's type names."""
    kv = map_types(f.type)
    types = [kv[1]] if kv else [f.type]
    return [t for t in types if t not in SCALARS]


def check(api: Api) -> None:
    known = set(api.messages) | set(api.enums)
    for message in api.messages.values():
        parent = parent_of(message.full_name)
        if parent and parent not in api.messages:
            raise SheetError(f"{message.full_name}: no parent message {parent}")
        numbers, names = set(), set()
        for f in message.fields:
            if f.number in numbers or f.name in names:
                raise SheetError(f"{message.full_name}: field {f.number} {f.name} twice")
            numbers.add(f.number)
            names.add(f.name)
            for t in referenced(f):
                if t not in known:
                    raise SheetError(f"{message.full_name}.{f.name}: unknown type {t}")
            if f.oneof and f.label:
                raise SheetError(f"{message.full_name}.{f.name}: {f.label} in a oneof")
    for enum in api.enums.values():
        if not enum.values or enum.values[0][1] != 0:
            raise SheetError(f"{enum.full_name}: the first value must be 0")
        parent = parent_of(enum.full_name)
        if parent and parent not in api.messages:
            raise SheetError(f"{enum.full_name}: no parent message {parent}")
    for package, service, rpcs in api.services:
        names = set()
        for rpc in rpcs:
            if rpc.name in names:
                raise SheetError(f"{service}: {rpc.name} twice")
            names.add(rpc.name)
            for t in (rpc.request, rpc.response):
                if f"{package}.{t}" not in api.messages:
                    raise SheetError(f"{service}.{rpc.name}: no message {package}.{t}")


# --- writing ----------------------------------------------------------------


def default_json_name(name: str) -> str:
    """protoc's JSON name: underscores dropped, the letter after each upper-cased."""
    out, upper = [], False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def file_of(package: str) -> str:
    if package in FILE_OF_PACKAGE:
        return FILE_OF_PACKAGE[package]
    parts = package.split(".")
    if len(parts) != 3 or parts[0] != "zitadel" or parts[2] not in ("v1", "v2"):
        raise SheetError(f"no file for package {package}")
    return f"{parts[1]}.proto" if parts[2] == "v1" else f"{parts[1]}_v2.proto"


def import_of(type_name: str) -> str:
    if type_name in WELL_KNOWN:
        return WELL_KNOWN[type_name]
    if type_name.startswith("google."):
        raise SheetError(f"no file for {type_name}")
    return f"zitadel/{file_of(package_of(type_name))}"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def type_ref(type_: str) -> str:
    if type_ in SCALARS:
        return type_
    kv = map_types(type_)
    if kv:
        return f"map<{kv[0]}, {type_ref(kv[1])}>"
    return "." + type_


class Writer:
    def __init__(self, api: Api):
        self.api = api
        self.children: dict[str | None, list[str]] = {}
        self.enum_children: dict[str | None, list[str]] = {}
        for name in api.messages:
            self.children.setdefault(parent_of(name), []).append(name)
        for name in api.enums:
            self.enum_children.setdefault(parent_of(name), []).append(name)

    def files(self) -> dict[str, str]:
        by_package: dict[str, tuple[list[str], list[str]]] = {}
        for name in self.api.messages:
            if not name.startswith("google.") and parent_of(name) is None:
                by_package.setdefault(package_of(name), ([], []))[0].append(name)
        for name in self.api.enums:
            if not name.startswith("google.") and parent_of(name) is None:
                by_package.setdefault(package_of(name), ([], []))[1].append(name)
        services = {package: (service, rpcs) for package, service, rpcs in self.api.services}
        out = {}
        graph: dict[str, set[str]] = {}
        for package in sorted(by_package):
            messages, enums = by_package[package]
            name = file_of(package)
            if name in HAND_WRITTEN or name in out:
                raise SheetError(f"{package} would write {name}, which is taken")
            text, imports = self.file(package, sorted(messages), sorted(enums), services.get(package))
            out[name] = text
            graph[f"zitadel/{name}"] = imports
        check_acyclic(graph)
        return out

    def file(self, package, messages, enums, service):
        body: list[str] = []
        imports: set[str] = set()
        for name in messages:
            body.append("")
            self.message(name, 0, body, imports)
        for name in enums:
            body.append("")
            self.enum(name, 0, body)
        if service:
            body.append("")
            self.service(package, *service, body, imports)
        imports.discard(f"zitadel/{file_of(package)}")
        lines = [HEADER, f"package {package};", ""]
        lines += [f'import "{i}";' for i in sorted(imports)]
        return "\n".join(lines + body) + "\n", imports

    def message(self, name: str, depth: int, out: list[str], imports: set[str]) -> None:
        pad = "  " * depth
        message = self.api.messages[name]
        out.append(f"{pad}message {name.rsplit('.', 1)[1]} {{")
        for child in sorted(self.children.get(name, [])):
            self.message(child, depth + 1, out, imports)
        for child in sorted(self.enum_children.get(name, [])):
            self.enum(child, depth + 1, out)
        written_oneofs = set()
        for f in message.fields:
            for t in referenced(f):
                imports.add(import_of(t))
            if f.validate or f.burg:
                imports.add(OPTIONS_IMPORT)
            if f.oneof is None:
                out.append(f"{pad}  {self.field(f)}")
            elif f.oneof not in written_oneofs:
                written_oneofs.add(f.oneof)
                out.append(f"{pad}  oneof {f.oneof} {{")
                for member in message.fields:
                    if member.oneof == f.oneof:
                        out.append(f"{pad}    {self.field(member)}")
                out.append(f"{pad}  }}")
        out.append(f"{pad}}}")

    @staticmethod
    def field(f: Field) -> str:
        options = []
        if f.json_name != default_json_name(f.name):
            options.append(f"json_name = {quote(f.json_name)}")
        if f.deprecated:
            options.append("deprecated = true")
        if f.validate:
            options.append(f"(zitadel.v1.validate) = {quote(f.validate)}")
        if f.burg:
            options.append("(zitadel.v1.burg) = true")
        label = f"{f.label} " if f.label else ""
        suffix = f" [{', '.join(options)}]" if options else ""
        return f"{label}{type_ref(f.type)} {f.name} = {f.number}{suffix};"

    def enum(self, name: str, depth: int, out: list[str]) -> None:
        pad = "  " * depth
        out.append(f"{pad}enum {name.rsplit('.', 1)[1]} {{")
        for value, number in self.api.enums[name].values:
            out.append(f"{pad}  {value} = {number};")
        out.append(f"{pad}}}")

    @staticmethod
    def service(package, service, rpcs, out, imports):
        imports.add(ANNOTATIONS_IMPORT)
        out.append(f"service {service} {{")
        for i, rpc in enumerate(rpcs):
            if i:
                out.append("")
            out.append(f"  rpc {rpc.name}({rpc.request}) returns ({rpc.response}) {{")
            if rpc.verb:
                out.append("    option (google.api.http) = {")
                out.append(f"      {rpc.verb}: {quote(rpc.path)}")
                if rpc.body:
                    out.append(f"      body: {quote(rpc.body)}")
                out.append("    };")
            if rpc.permission:
                imports.add(OPTIONS_IMPORT)
                out.append(f"    option (zitadel.v1.auth_option) = {{ permission: {quote(rpc.permission)} }};")
            if rpc.deprecated:
                out.append("    option deprecated = true;")
            out.append("  }")
        out.append("}")


def check_acyclic(graph: dict[str, set[str]]) -> None:
    """protoc refuses import cycles; one package per file must not make one."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise SheetError("import cycle: " + " -> ".join(path[path.index(node) :] + [node]))
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            visit(dep, path + [node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sheets", type=Path, default=DEFAULT_SHEETS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    try:
        files = Writer(read_api(args.sheets)).files()
    except (SheetError, OSError) as e:
        print(f"proto_from_sheets: {e}", file=sys.stderr)
        return 2
    generated_marker = "// Generated by scripts/proto_from_sheets.py"
    stale = [
        p for p in sorted(args.out.glob("*.proto"))
        if p.name not in files and p.name not in HAND_WRITTEN and generated_marker in p.read_text(encoding="utf-8")
    ]
    changed = [n for n, text in sorted(files.items()) if not (args.out / n).exists() or (args.out / n).read_text(encoding="utf-8") != text]
    if args.check:
        for name in changed:
            print(f"would change: {args.out / name}")
        for path in stale:
            print(f"would remove: {path}")
        return 1 if changed or stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in changed:
        (args.out / name).write_text(files[name], encoding="utf-8")
    for path in stale:
        path.unlink()
    print(f"{len(files)} files, {len(changed)} changed, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
