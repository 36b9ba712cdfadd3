//! Our proto against the API fact sheets, both ways: every message of the
//! sheets with its fields (number, name, JSON name, type, label, oneof,
//! deprecation, validate rule), every enum with its values, and every RPC of
//! both services with its route, body, permission, deprecation, request and
//! response; and nothing in our proto that the sheets do not list.
//!
//! The sheets live beside the repository (`../shared/api/v1` from its root).
//! Without them the test fails under CI and is skipped elsewhere.
//!
//! Of the v2 services (sheets in `../shared/api/login` and our own in
//! `docs/api/v2`) burg serves some RPCs: each RPC and message our proto
//! has must be the sheets', and a v2 RPC whose sheet names no permission
//! (ZITADEL keeps it in its own option) must have one in our proto.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use prost_reflect::{
    DescriptorPool, DynamicMessage, EnumDescriptor, ExtensionDescriptor, FieldDescriptor, Kind, MessageDescriptor,
    MethodDescriptor, Value,
};

/// Files of `proto/zitadel/` written by hand: burg's own options and error
/// detail, which no RPC reaches and so no sheet lists.
const HAND_WRITTEN: [&str; 2] = ["zitadel/options.proto", "zitadel/error.proto"];

const SERVICES: [(&str, &str); 2] = [
    ("zitadel.admin.v1.AdminService", "zitadel.admin.v1.AdminService.md"),
    ("zitadel.management.v1.ManagementService", "zitadel.management.v1.ManagementService.md"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    number: u32,
    name: String,
    json: String,
    /// A scalar (`string`), a full type name, or `map<K, V>`.
    ty: String,
    /// `repeated`, `optional` (explicit presence) or empty.
    label: &'static str,
    oneof: Option<String>,
    deprecated: bool,
    validate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rpc {
    route: String,
    body: String,
    permission: String,
    deprecated: bool,
    request: String,
    response: String,
}

/// What the sheets say: messages (by full name, fields by number), enums
/// (value names by number) and, per service, RPCs by name.
#[derive(Debug, Clone, Default)]
struct Api {
    messages: BTreeMap<String, BTreeMap<u32, Field>>,
    enums: BTreeMap<String, BTreeMap<i32, String>>,
    services: BTreeMap<String, BTreeMap<String, Rpc>>,
    /// Messages, enums, services and `Service.Rpc`s of the v2 sheets, which
    /// our proto may leave out.
    optional: BTreeSet<String>,
}

/// burg's own fields in ZITADEL's messages are numbered from here up
/// (`scripts/proto_from_sheets.py`, `BURG_FIELDS`).
const BURG_FIRST_FIELD: u32 = 1000;

fn sheets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/api/v1")
}

/// The directories of the v2 sheets: the login services' and our own.
fn v2_sheet_dirs() -> [PathBuf; 2] {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [manifest.join("../../../shared/api/login"), manifest.join("../../docs/api/v2")]
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The sheets, or `None` (with a message) when they are not there.
fn sheets() -> Option<Api> {
    let dir = sheets_dir();
    if !dir.is_dir() {
        assert!(!in_ci(), "the API fact sheets are missing at {}", dir.display());
        eprintln!("skipped: the API fact sheets are not at {}", dir.display());
        return None;
    }
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
    };
    let mut api = Api::default();
    read_messages(&read("messages.md"), &mut api);
    read_newer_fields(&read("newer-fields.md"), &mut api);
    for (service, file) in SERVICES {
        api.services.insert(service.to_string(), read_service(&read(file)));
    }
    for dir in v2_sheet_dirs().iter().filter(|d| d.is_dir()) {
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut v2 = Api::default();
        read_messages(&read(&dir.join("messages.md")), &mut v2);
        for (name, fields) in v2.messages {
            api.optional.insert(name.clone());
            let known = api.messages.entry(name.clone()).or_insert_with(|| fields.clone());
            assert_eq!(known, &fields, "{name}: the v1 and v2 sheets differ");
        }
        for (name, values) in v2.enums {
            api.optional.insert(name.clone());
            let known = api.enums.entry(name.clone()).or_insert_with(|| values.clone());
            assert_eq!(known, &values, "{name}: the v1 and v2 sheets differ");
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(service) = name.strip_suffix(".md").filter(|s| s.contains(".v2.")) else { continue };
            let rpcs = read_service(&read(&file));
            api.optional.insert(service.to_string());
            api.optional.extend(rpcs.keys().map(|rpc| format!("{service}.{rpc}")));
            assert!(api.services.insert(service.to_string(), rpcs).is_none(), "{service} has two sheets");
        }
    }
    Some(api)
}

#[test]
fn our_proto_is_the_sheets() {
    let Some(api) = sheets() else { return };
    let pool = DescriptorPool::decode(burg_api::FILE_DESCRIPTOR_SET).expect("the descriptor set decodes");
    let differences = compare(&api, &pool);
    assert!(
        differences.is_empty(),
        "{} differences between proto/ and the sheets (regenerate with scripts/proto_from_sheets.py):\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// The comparison sees a difference in each kind of fact: a sheet changed
/// in one place gives differences about that place only.
#[test]
fn a_changed_fact_is_a_difference() {
    let Some(api) = sheets() else { return };
    let pool = DescriptorPool::decode(burg_api::FILE_DESCRIPTOR_SET).expect("the descriptor set decodes");
    type Change = fn(&mut Api);
    let changes: [(&str, &str, Change); 10] = [
        ("a field number", "zitadel.v1.ObjectDetails field", |api| {
            let fields = api.messages.get_mut("zitadel.v1.ObjectDetails").unwrap();
            let field = fields.remove(&4).unwrap();
            fields.insert(5, Field { number: 5, ..field });
        }),
        ("a JSON name", "zitadel.v1.ObjectDetails field 4", |api| {
            field(api, "zitadel.v1.ObjectDetails", 4).json = "owner".into();
        }),
        ("a type", "zitadel.v1.ListQuery field 2", |api| field(api, "zitadel.v1.ListQuery", 2).ty = "uint64".into()),
        ("a label", "zitadel.v1.ListQuery field 3", |api| field(api, "zitadel.v1.ListQuery", 3).label = "optional"),
        ("a validate rule", "zitadel.admin.v1.GetOrgByIDRequest field 1", |api| {
            field(api, "zitadel.admin.v1.GetOrgByIDRequest", 1).validate = None;
        }),
        ("a message", "zitadel.v1.ListDetails", |api| {
            api.messages.remove("zitadel.v1.ListDetails");
        }),
        ("an enum value", "zitadel.org.v1.OrgState", |api| {
            api.enums.get_mut("zitadel.org.v1.OrgState").unwrap().insert(9, "ORG_STATE_GONE".into());
        }),
        ("a permission", "AdminService.RemoveIAMMember", |api| {
            let rpcs = api.services.get_mut("zitadel.admin.v1.AdminService").unwrap();
            rpcs.get_mut("RemoveIAMMember").unwrap().permission = "iam.member.write".into();
        }),
        ("a v2 route", "SettingsService.SetSecuritySettings", |api| {
            let rpcs = api.services.get_mut("zitadel.settings.v2.SettingsService").unwrap();
            rpcs.get_mut("SetSecuritySettings").unwrap().route = "PUT /v2/settings/security".into();
        }),
        ("a v2 field", "zitadel.settings.v2.SecuritySettings field 2", |api| {
            field(api, "zitadel.settings.v2.SecuritySettings", 2).json = "impersonation".into();
        }),
    ];
    for (what, subject, change) in changes {
        let mut changed = api.clone();
        change(&mut changed);
        let differences = compare(&changed, &pool);
        assert!(!differences.is_empty(), "{what}: no difference seen");
        assert!(differences.iter().all(|d| d.contains(subject)), "{what}: {differences:#?}");
    }
}

fn field<'a>(api: &'a mut Api, message: &str, number: u32) -> &'a mut Field {
    api.messages.get_mut(message).and_then(|m| m.get_mut(&number)).unwrap()
}

// --- reading the sheets -------------------------------------------------------

/// `(inside, after)` of a text that starts with a backticked part.
fn ticked(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some((&rest[..end], &rest[end + 1..]))
}

fn read_messages(text: &str, api: &mut Api) {
    let mut section = "";
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = if heading == "Messages" { "messages" } else { "enums" };
            continue;
        }
        if section == "messages" {
            if let Some(heading) = line.strip_prefix("### ") {
                let (name, _) = ticked(heading).unwrap_or_else(|| panic!("heading {line:?}"));
                api.messages.insert(name.to_string(), BTreeMap::new());
                current = Some(name.to_string());
            } else if line.starts_with("- ") && line != "- (no fields)" {
                let field = parse_field(line).unwrap_or_else(|| panic!("not a field: {line:?}"));
                let message = current.as_ref().expect("a field under a heading");
                api.messages.get_mut(message).unwrap().insert(field.number, field);
            }
        } else if section == "enums" && line.starts_with("- ") {
            let (name, values) = ticked(&line[2..]).unwrap_or_else(|| panic!("not an enum: {line:?}"));
            let values = values.strip_prefix(": ").unwrap_or_else(|| panic!("not an enum: {line:?}"));
            api.enums.insert(name.to_string(), parse_values(values));
        }
    }
}

/// `- 3 `name` (json `name`): repeated `type` (oneof `x`) deprecated — validate: `rule``
fn parse_field(line: &str) -> Option<Field> {
    let (number, rest) = line.strip_prefix("- ")?.split_once(' ')?;
    let (name, rest) = ticked(rest)?;
    let (json, rest) = ticked(rest.strip_prefix(" (json ")?)?;
    let rest = rest.strip_prefix("): ")?;
    let (rest, validate) = match rest.split_once(" — validate: ") {
        Some((rest, rule)) => (rest, Some(rule.strip_prefix('`')?.strip_suffix('`')?.to_string())),
        None => (rest, None),
    };
    let (label, rest) = match (rest.strip_prefix("repeated "), rest.strip_prefix("optional ")) {
        (Some(rest), _) => ("repeated", rest),
        (_, Some(rest)) => ("optional", rest),
        _ => ("", rest),
    };
    let (ty, rest) = ticked(rest)?;
    let (oneof, rest) = match rest.strip_prefix(" (oneof ") {
        Some(rest) => {
            let (oneof, rest) = ticked(rest)?;
            (Some(oneof.to_string()), rest.strip_prefix(')')?)
        }
        None => (None, rest),
    };
    let deprecated = match rest {
        "" => false,
        " deprecated" => true,
        _ => return None,
    };
    Some(Field {
        number: number.parse().ok()?,
        name: name.into(),
        json: json.into(),
        ty: ty.into(),
        label,
        oneof,
        deprecated,
        validate,
    })
}

/// `A=0, B=1` (names may be backticked).
fn parse_values(text: &str) -> BTreeMap<i32, String> {
    text.split(", ")
        .map(|item| {
            let (name, number) = item.trim().split_once('=').unwrap_or_else(|| panic!("not an enum value: {item:?}"));
            let number = number.parse().unwrap_or_else(|_| panic!("not an enum value: {item:?}"));
            (number, name.trim_matches('`').to_string())
        })
        .collect()
}

/// The table of fields added since the sheets, and the enums named below it.
fn read_newer_fields(text: &str, api: &mut Api) {
    let mut prose = String::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let number = cells.get(1).and_then(|n| n.parse::<u32>().ok());
        let (Some(number), 4) = (number, cells.len()) else {
            if !line.starts_with('|') {
                prose.push_str(line);
                prose.push(' ');
            }
            continue;
        };
        let (name, json) = ticked(cells[2]).unwrap_or_else(|| panic!("no field name: {line:?}"));
        let json = match ticked(json.trim_start().trim_start_matches('(')) {
            Some((json, _)) => json.to_string(),
            None => default_json_name(name),
        };
        let (label, ty) = match cells[3].split_once(' ') {
            Some(("optional", ty)) => ("optional", ty),
            Some(("repeated", ty)) => ("repeated", ty),
            _ => ("", cells[3]),
        };
        let (ty, _) = ticked(ty).unwrap_or_else(|| panic!("no type: {line:?}"));
        for message in cells[0].split(", ") {
            let (message, _) = ticked(message).unwrap_or_else(|| panic!("no message: {line:?}"));
            let fields = api.messages.get_mut(message).unwrap_or_else(|| panic!("newer field of unknown {message}"));
            let field = Field {
                number,
                name: name.into(),
                json: json.clone(),
                ty: ty.into(),
                label,
                oneof: None,
                deprecated: false,
                validate: None,
            };
            assert!(fields.insert(number, field).is_none(), "{message} has field {number} already");
        }
    }
    // "`zitadel.x.v1.Name`: `A`=0, `B`=1," in the prose.
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("`: `") {
        let name = &rest[..at];
        let name = &name[name.rfind('`').map_or(0, |i| i + 1)..];
        let values: String = rest[at + 3..]
            .split(", ")
            .map_while(|item| {
                let item = item.trim().trim_end_matches('.');
                let (value, number) = item.split_once('=')?;
                let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
                (value.starts_with('`') && !digits.is_empty()).then(|| format!("{value}={digits}"))
            })
            .collect::<Vec<_>>()
            .join(", ");
        api.enums.insert(name.to_string(), parse_values(&values));
        rest = &rest[at + 3..];
    }
}

/// protoc's JSON name: underscores dropped, the letter after each upper-cased.
fn default_json_name(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `| RPC | `VERB /path` | `*` | permission | yes | tags | Request | Response |`
fn read_service(text: &str) -> BTreeMap<String, Rpc> {
    let mut rpcs = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if cells[0] == "RPC" || cells.len() != 8 {
            assert!(cells[0] == "RPC" || cells.iter().all(|c| c.chars().all(|c| c == '-')), "row {line:?}");
            continue;
        }
        let (route, _) = ticked(cells[1]).unwrap_or_else(|| panic!("no route: {line:?}"));
        let rpc = Rpc {
            route: route.into(),
            body: cells[2].trim_matches('`').into(),
            permission: cells[3].into(),
            deprecated: cells[4] == "yes",
            request: cells[6].into(),
            response: cells[7].into(),
        };
        assert!(rpcs.insert(cells[0].to_string(), rpc).is_none(), "{} twice", cells[0]);
    }
    rpcs
}

// --- the proto, in the sheets' terms -----------------------------------------

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(m) => m.full_name().into(),
        Kind::Enum(e) => e.full_name().into(),
    }
}

fn proto_field(field: &FieldDescriptor, validate: &ExtensionDescriptor) -> Field {
    let proto = field.field_descriptor_proto();
    let ty = if field.is_map() {
        let Kind::Message(entry) = field.kind() else { unreachable!("a map field is a message") };
        let (key, value) = (entry.map_entry_key_field(), entry.map_entry_value_field());
        format!("map<{}, {}>", kind_name(&key.kind()), kind_name(&value.kind()))
    } else {
        kind_name(&field.kind())
    };
    let label = if field.is_list() {
        "repeated"
    } else if proto.proto3_optional() {
        "optional"
    } else {
        ""
    };
    let options = field.options();
    let validate = options.has_extension(validate).then(|| match options.get_extension(validate).as_ref() {
        Value::String(rule) => rule.clone(),
        other => panic!("{}: validate is {other:?}", field.full_name()),
    });
    Field {
        number: field.number(),
        name: field.name().into(),
        json: field.json_name().into(),
        ty,
        label,
        oneof: field.containing_oneof().filter(|o| !o.is_synthetic()).map(|o| o.name().to_string()),
        deprecated: proto.options.as_ref().is_some_and(|o| o.deprecated()),
        validate,
    }
}

fn string_field(message: &DynamicMessage, name: &str) -> String {
    message.get_field_by_name(name).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn proto_rpc(method: &MethodDescriptor, http: &ExtensionDescriptor, auth: &ExtensionDescriptor) -> Rpc {
    let options = method.options();
    let (mut route, mut body) = (String::new(), String::new());
    if options.has_extension(http)
        && let Value::Message(rule) = options.get_extension(http).as_ref()
    {
        for verb in ["get", "put", "post", "delete", "patch"] {
            if rule.has_field_by_name(verb) {
                route = format!("{} {}", verb.to_uppercase(), string_field(rule, verb));
            }
        }
        body = string_field(rule, "body");
        if rule.get_field_by_name("additional_bindings").is_some_and(|b| b.as_list().is_some_and(|l| !l.is_empty())) {
            route.push_str(" (with additional bindings)");
        }
    }
    let permission = match options.has_extension(auth).then(|| options.get_extension(auth)) {
        Some(value) => match value.as_ref() {
            Value::Message(option) => string_field(option, "permission"),
            _ => String::new(),
        },
        None => String::new(),
    };
    let short = |m: MessageDescriptor| {
        m.full_name().strip_prefix(&format!("{}.", method.parent_service().package_name())).unwrap_or("").to_string()
    };
    Rpc {
        route,
        body,
        permission,
        deprecated: method.method_descriptor_proto().options.as_ref().is_some_and(|o| o.deprecated()),
        request: short(method.input()),
        response: short(method.output()),
    }
}

/// Our messages, enums and services that the sheets must list: those of
/// ZITADEL's packages outside the hand-written files, and the well-known
/// types the sheets name.
fn ours(pool: &DescriptorPool, api: &Api) -> (Vec<MessageDescriptor>, Vec<EnumDescriptor>) {
    let counts = |file: &str| file.starts_with("zitadel/") && !HAND_WRITTEN.contains(&file);
    let messages = pool
        .all_messages()
        .filter(|m| !m.is_map_entry())
        .filter(|m| counts(m.parent_file().name()) || api.messages.contains_key(m.full_name()))
        .collect();
    let enums =
        pool.all_enums().filter(|e| counts(e.parent_file().name()) || api.enums.contains_key(e.full_name())).collect();
    (messages, enums)
}

fn compare(api: &Api, pool: &DescriptorPool) -> Vec<String> {
    let validate = pool.get_extension_by_name("zitadel.v1.validate").expect("(zitadel.v1.validate) is defined");
    let http = pool.get_extension_by_name("google.api.http").expect("(google.api.http) is defined");
    let auth = pool.get_extension_by_name("zitadel.v1.auth_option").expect("(zitadel.v1.auth_option) is defined");
    let burg = pool.get_extension_by_name("zitadel.v1.burg").expect("(zitadel.v1.burg) is defined");
    let mut out = Vec::new();
    let (messages, enums) = ours(pool, api);

    for (name, sheet_fields) in &api.messages {
        let Some(message) = pool.get_message_by_name(name) else {
            if !api.optional.contains(name) {
                out.push(format!("message {name}: missing"));
            }
            continue;
        };
        // burg's own fields (`(zitadel.v1.burg)`) are not ZITADEL's: left
        // out, as long as they keep to burg's numbers.
        let (own, theirs): (Vec<_>, Vec<_>) = message.fields().partition(|f| {
            let options = f.options();
            options.has_extension(&burg) && options.get_extension(&burg).as_bool() == Some(true)
        });
        for f in own.iter().filter(|f| f.number() < BURG_FIRST_FIELD) {
            out.push(format!("{name} field {} ({}): burg's own, below {BURG_FIRST_FIELD}", f.number(), f.name()));
        }
        let proto_fields: BTreeMap<u32, Field> =
            theirs.iter().map(|f| (f.number(), proto_field(f, &validate))).collect();
        for number in sheet_fields.keys().chain(proto_fields.keys()).collect::<BTreeSet<_>>() {
            match (sheet_fields.get(number), proto_fields.get(number)) {
                (Some(sheet), Some(proto)) if sheet != proto => {
                    out.push(format!("{name} field {number}: sheet {sheet:?}, proto {proto:?}"));
                }
                (Some(_), None) => out.push(format!("{name} field {number}: missing")),
                (None, Some(proto)) => out.push(format!("{name} field {number} ({}): not in the sheets", proto.name)),
                _ => {}
            }
        }
    }
    for message in &messages {
        if !api.messages.contains_key(message.full_name()) {
            out.push(format!("message {}: not in the sheets", message.full_name()));
        }
    }

    for (name, sheet_values) in &api.enums {
        let Some(descriptor) = pool.get_enum_by_name(name) else {
            if !api.optional.contains(name) {
                out.push(format!("enum {name}: missing"));
            }
            continue;
        };
        let proto_values: BTreeMap<i32, String> =
            descriptor.values().map(|v| (v.number(), v.name().to_string())).collect();
        if &proto_values != sheet_values {
            out.push(format!("enum {name}: sheet {sheet_values:?}, proto {proto_values:?}"));
        }
    }
    for descriptor in &enums {
        if !api.enums.contains_key(descriptor.full_name()) {
            out.push(format!("enum {}: not in the sheets", descriptor.full_name()));
        }
    }

    for (service, sheet_rpcs) in &api.services {
        let Some(descriptor) = pool.get_service_by_name(service) else {
            if !api.optional.contains(service) {
                out.push(format!("service {service}: missing"));
            }
            continue;
        };
        let proto_rpcs: BTreeMap<String, Rpc> =
            descriptor.methods().map(|m| (m.name().to_string(), proto_rpc(&m, &http, &auth))).collect();
        for name in sheet_rpcs.keys().chain(proto_rpcs.keys()).collect::<BTreeSet<_>>() {
            let v2 = api.optional.contains(&format!("{service}.{name}"));
            match (sheet_rpcs.get(name), proto_rpcs.get(name)) {
                // A v2 sheet without the permission: ours must name one.
                (Some(sheet), Some(proto)) if v2 && sheet.permission.is_empty() && proto.permission.is_empty() => {
                    out.push(format!("{service}.{name}: no permission"));
                }
                (Some(sheet), Some(proto))
                    if sheet != proto
                        && !(v2
                            && sheet.permission.is_empty()
                            && sheet == &Rpc { permission: String::new(), ..proto.clone() }) =>
                {
                    out.push(format!("{service}.{name}: sheet {sheet:?}, proto {proto:?}"));
                }
                (Some(_), None) if v2 => {}
                (Some(_), None) => out.push(format!("{service}.{name}: missing")),
                (None, Some(_)) => out.push(format!("{service}.{name}: not in the sheets")),
                _ => {}
            }
        }
    }
    for descriptor in pool.services().filter(|s| s.package_name().starts_with("zitadel.")) {
        if !api.services.contains_key(descriptor.full_name()) {
            out.push(format!("service {}: not in the sheets", descriptor.full_name()));
        }
    }
    out
}
