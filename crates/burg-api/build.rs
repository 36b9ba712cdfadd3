//! Compiles `proto/` without protoc: protox parses the files, prost and tonic
//! generate messages and services, pbjson generates the proto3-JSON mapping,
//! and the `google.api.http` / `zitadel.v1.auth_option` method options become
//! the REST route table (`routes.rs`) and its dispatch functions, and the
//! OpenAPI (swagger 2.0) document of each service.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use heck::{ToSnakeCase, ToUpperCamelCase};
use prost_reflect::{DescriptorPool, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};

type BuildResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Our own messages get serde; the well-known types come from pbjson-types,
/// except Timestamp, whose JSON form we write ourselves (`Z`, as Go does).
const TIMESTAMP: (&str, &str) = (".google.protobuf.Timestamp", "crate::wkt::Timestamp");
/// Duration too: pbjson-types' parser overflows on `"--9223372036854775808s"`.
const DURATION: (&str, &str) = (".google.protobuf.Duration", "crate::wkt::Duration");

fn main() -> BuildResult {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest.join("../../proto");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed={}", proto_root.display());

    let files = proto_files(&proto_root.join("zitadel"))?;
    let mut compiler = protox::Compiler::new([&proto_root])?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(files.iter().map(|f| f.strip_prefix(&proto_root).unwrap()))?;
    let fds_bytes = compiler.encode_file_descriptor_set();
    std::fs::write(out_dir.join("descriptor.bin"), &fds_bytes)?;

    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .build_transport(false)
        // Every trait method has a default body, so an RPC burg does not
        // serve yet needs no code and answers Unimplemented.
        .generate_default_stubs(true)
        .compile_well_known_types(true)
        .extern_path(".google.protobuf", "::pbjson_types")
        .extern_path(TIMESTAMP.0, TIMESTAMP.1)
        .extern_path(DURATION.0, DURATION.1)
        .out_dir(&out_dir)
        .compile_fds(compiler.file_descriptor_set())?;
    let pool = DescriptorPool::decode(fds_bytes.as_slice())?;
    for service in pool.services().filter(|s| s.package_name().starts_with("zitadel.")) {
        with_our_unimplemented(&out_dir.join(format!("{}.rs", service.package_name())))?;
    }

    pbjson_build::Builder::new()
        .register_descriptors(&fds_bytes)?
        .ignore_unknown_fields()
        .extern_path(TIMESTAMP.0, TIMESTAMP.1)
        .extern_path(DURATION.0, DURATION.1)
        .out_dir(&out_dir)
        .build(&[".zitadel"])?;
    for entry in std::fs::read_dir(&out_dir)? {
        let path = entry?.path();
        if path.to_string_lossy().ends_with(".serde.rs") {
            let code = std::fs::read_to_string(&path)?;
            std::fs::write(&path, open_enums(&code).map_err(|e| format!("{}: {e}", path.display()))?)?;
        }
    }

    std::fs::write(out_dir.join("routes.rs"), routes(&pool)?)?;
    std::fs::write(out_dir.join("validate.rs"), validate::generate(&pool)?)?;
    for (service, file) in OPENAPI_FILES {
        let document = openapi::document(&pool, service)?;
        std::fs::write(out_dir.join(file), serde_json::to_string_pretty(&document)?)?;
    }
    Ok(())
}

/// The OpenAPI documents written, one per service: (service, file name).
const OPENAPI_FILES: [(&str, &str); 2] = [
    ("zitadel.admin.v1.AdminService", "admin.swagger.json"),
    ("zitadel.management.v1.ManagementService", "management.swagger.json"),
];

#[path = "build/openapi.rs"]
mod openapi;
#[path = "src/path_template.rs"]
mod path_template;
#[path = "build/validate.rs"]
mod validate;

/// The default body tonic writes for each trait method.
const TONIC_STUB: &str = r#"Err(tonic::Status::unimplemented("Not yet implemented"))"#;

/// Makes the default trait methods answer with burg's error shape (an
/// error id in the details, as every other error) instead of tonic's bare
/// status.
fn with_our_unimplemented(file: &Path) -> BuildResult {
    let code = std::fs::read_to_string(file)?;
    if !code.contains(TONIC_STUB) {
        return Err(format!("{}: no default method body to replace", file.display()).into());
    }
    std::fs::write(file, code.replace(TONIC_STUB, "Err(crate::error::unimplemented())"))?;
    Ok(())
}

/// Makes the enum fields of pbjson's code open, as proto3 JSON has them
/// (`crate::json::OpenEnum`): pbjson refuses to read a number no variant
/// has, and to write one, where Go's protojson keeps it. Each enum field's
/// read (`next_value::<E>()? as i32`, in an `Option` or `Vec` too) and
/// write (`E::try_from(..)` with its "Invalid variant" error) is rewritten;
/// a form not recognised fails the build, so a new pbjson cannot slip by.
fn open_enums(code: &str) -> Result<String, String> {
    const INVALID: &str = ".map_err(|_| serde::ser::Error::custom(format!(\"Invalid variant {}\", ";
    const COLLECT: &str = "}).collect::<std::result::Result<Vec<_>, _>>()?;";
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len() + code.len() / 20);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        // Reads.
        if line.contains("map_.next_value::<") && line.contains(" as i32") {
            let start = line.find("map_.next_value::<").unwrap() + "map_.next_value::<".len();
            let end = line[start..].find(">()?").ok_or_else(|| format!("an enum read: {line}"))? + start;
            let ty = &line[start..end];
            let wrapped = match ty.strip_prefix("::std::option::Option<").or_else(|| ty.strip_prefix("Vec<")) {
                Some(inner) => {
                    let inner = inner.strip_suffix('>').ok_or_else(|| format!("an enum read: {line}"))?;
                    ty.replace(inner, &format!("crate::json::OpenEnum<{inner}>"))
                }
                None => format!("crate::json::OpenEnum<{ty}>"),
            };
            let rest = line[end..].replace("()? as i32", "()?.0").replace("x as i32", "x.0");
            writeln!(out, "{}{wrapped}{rest}", &line[..start]).unwrap();
            i += 1;
            continue;
        }
        // Writes of one value: `let v = E::try_from(x)` and its error.
        if let Some(call) = trimmed.strip_prefix("let v = ").and_then(|c| c.strip_suffix(')'))
            && let Some((ty, arg)) = call.split_once("::try_from(")
            && lines.get(i + 1).is_some_and(|next| next.trim_start().starts_with(INVALID))
        {
            writeln!(out, "{indent}let v = crate::json::OpenEnum::<{ty}>::of({arg});").unwrap();
            i += 2;
            continue;
        }
        // Writes of a list: `.map(|v| { E::try_from(v) .map_err(..) }).collect::<Result<..>>()?`.
        if let Some(ty) = trimmed.strip_suffix("::try_from(v)")
            && !ty.contains(' ')
            && ty != "i32"
            && lines.get(i + 1).is_some_and(|next| next.trim_start().starts_with(INVALID))
        {
            let close = lines.get(i + 2).map(|l| l.trim_start());
            if close != Some(COLLECT) {
                return Err(format!("an enum list write: {line}"));
            }
            writeln!(out, "{indent}crate::json::OpenEnum::<{ty}>::of(v)").unwrap();
            writeln!(out, "{}}}).collect::<Vec<_>>();", &lines[i + 2][..lines[i + 2].len() - COLLECT.len()]).unwrap();
            i += 3;
            continue;
        }
        if line.contains("Invalid variant") {
            return Err(format!("an enum write in a form not known: {line}"));
        }
        out.push_str(line);
        out.push('\n');
        i += 1;
    }
    Ok(out)
}

fn proto_files(dir: &Path) -> BuildResult<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "proto") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

pub(crate) struct Rule {
    pub verb: String,
    pub path: String,
    pub body: String,
}

/// Writes one `Route` per RPC and, per service, a `dispatch_<service>`
/// function that decodes a JSON request, calls the tonic service trait and
/// encodes the JSON answer.
fn routes(pool: &DescriptorPool) -> BuildResult<String> {
    let http_ext = pool.get_extension_by_name("google.api.http").ok_or("google.api.http extension missing")?;
    let auth_ext =
        pool.get_extension_by_name("zitadel.v1.auth_option").ok_or("zitadel.v1.auth_option extension missing")?;

    let mut table = String::new();
    let mut dispatch = String::new();
    // Decoders by route, for fuzzing: the request type of route `index` from
    // JSON (as REST decodes it) and from protobuf (as gRPC does).
    let mut decoders = String::from(
        "/// Decodes the JSON request of route `index` (in [`ROUTES`]) as REST does and validates it; the answer is thrown away.\n\
         pub fn decode_request_json(index: usize, input: crate::json::JsonInput) -> Result<(), String> {\n    match index {\n",
    );
    let mut proto_decoders = String::from(
        "/// Decodes the protobuf request of route `index` (in [`ROUTES`]) as gRPC does and validates it; the answer is thrown away.\n\
         pub fn decode_request_proto(index: usize, bytes: &[u8]) -> Result<(), prost::DecodeError> {\n    match index {\n",
    );
    writeln!(table, "/// Every RPC burg serves, with its REST mapping and permission.")?;
    writeln!(table, "pub static ROUTES: &[Route] = &[")?;

    let mut index = 0usize;
    for service in pool.services() {
        let package = service.package_name();
        if !package.starts_with("zitadel.") {
            continue;
        }
        let rest_base = rest_base(service.full_name())?;
        let module = rust_module(package);
        let server_mod = format!("{}_server", service.name().to_snake_case());
        let service_fn = service.name().to_snake_case();
        writeln!(
            dispatch,
            "/// Calls one RPC of `{}` with a JSON request; `index` is the RPC's position in [`ROUTES`].",
            service.full_name()
        )?;
        writeln!(
            dispatch,
            "pub async fn dispatch_{service_fn}<S: {module}::{server_mod}::{}>(svc: &S, index: usize, input: crate::json::JsonInput, meta: tonic::metadata::MetadataMap, ext: tonic::Extensions) -> Result<Vec<u8>, CallError> {{",
            service.name()
        )?;
        writeln!(dispatch, "    match index {{")?;

        for method in service.methods() {
            let options = method.options();
            // A v2 RPC without an HTTP rule is served over gRPC only (ZITADEL
            // serves it over gRPC and Connect): its route has no REST path.
            let rule = match http_rule(&options, &http_ext)? {
                Some(rule) => rule,
                None if rest_base.is_empty() => Rule { verb: String::new(), path: String::new(), body: "*".into() },
                None => return Err(format!("{} has no google.api.http rule", method.full_name()).into()),
            };
            let permission = auth_permission(&options, &auth_ext);
            let input = method.input();
            let path = if rule.verb.is_empty() { String::new() } else { format!("{rest_base}{}", rule.path) };
            let path_fields = path_params(&rule.path)
                .into_iter()
                .map(|p| {
                    let field = input
                        .get_field_by_name(&p)
                        .ok_or_else(|| format!("{}: no field {p} for path", method.full_name()))?;
                    let kind = param_kind(&field)
                        .ok_or_else(|| format!("{}: path field {p} is a message", method.full_name()))?;
                    Ok(format!("({:?}, {:?}, QueryKind::{kind})", p, field.json_name()))
                })
                .collect::<BuildResult<Vec<_>>>()?;
            // grpc-gateway binds query parameters only when the body is not
            // the whole message, and never to fields the path already sets.
            let query_fields: Vec<String> = if rule.body == "*" {
                Vec::new()
            } else {
                query_params(&input, &path_params(&rule.path))
                    .into_iter()
                    .map(|p| {
                        let kind = if p.repeated {
                            format!("QueryKind::Repeated(&QueryKind::{})", p.kind)
                        } else {
                            format!("QueryKind::{}", p.kind)
                        };
                        format!("({:?}, {:?}, {kind})", p.name, p.json)
                    })
                    .collect()
            };
            writeln!(
                table,
                "    Route {{ service: {:?}, method: {:?}, trait_method: {:?}, grpc_path: \"/{}/{}\", http_method: {:?}, http_path: {:?}, body: {:?}, permission: {}, path_fields: &[{}], query_fields: &[{}] }},",
                service.name(),
                method.name(),
                method.name().to_snake_case(),
                service.full_name(),
                method.name(),
                rule.verb.to_uppercase(),
                path,
                rule.body,
                permission.map_or("None".to_string(), |p| format!("Some({p:?})")),
                path_fields.join(", "),
                query_fields.join(", "),
            )?;
            writeln!(
                dispatch,
                "        {index} => invoke(input, meta, ext, |r: tonic::Request<{}>| svc.{}(r)).await,",
                rust_type(&input),
                method.name().to_snake_case(),
            )?;
            // Decoded requests are also validated: the rules must answer
            // any input without a panic.
            writeln!(
                decoders,
                "        {index} => json::decode::<{}>(input).map(|r| drop(crate::validate::Validate::validate(&r))),",
                rust_type(&input)
            )?;
            writeln!(
                proto_decoders,
                "        {index} => <{} as prost::Message>::decode(bytes).map(|r| drop(crate::validate::Validate::validate(&r))),",
                rust_type(&input)
            )?;
            index += 1;
        }
        writeln!(dispatch, "        _ => Err(CallError::UnknownRoute),")?;
        writeln!(dispatch, "    }}\n}}\n")?;
    }
    writeln!(table, "];\n")?;
    decoders.push_str("        _ => Err(\"no such route\".into()),\n    }\n}\n\n");
    proto_decoders.push_str("        _ => Ok(()),\n    }\n}\n\n");
    Ok(table + &dispatch + &decoders + &proto_decoders)
}

/// Where a service's REST routes begin: v1 routes are relative to their
/// service's base, v2 routes are absolute.
pub(crate) fn rest_base(service: &str) -> BuildResult<&'static str> {
    match service {
        "zitadel.admin.v1.AdminService" => Ok("/admin/v1"),
        "zitadel.management.v1.ManagementService" => Ok("/management/v1"),
        v2 if v2.starts_with("zitadel.") && v2.contains(".v2.") => Ok(""),
        other => Err(format!("no REST base for {other}").into()),
    }
}

pub(crate) fn http_rule(
    options: &DynamicMessage,
    ext: &prost_reflect::ExtensionDescriptor,
) -> BuildResult<Option<Rule>> {
    if !options.has_extension(ext) {
        return Ok(None);
    }
    let value = options.get_extension(ext);
    let Value::Message(rule) = value.as_ref() else {
        return Err("google.api.http is not a message".into());
    };
    for verb in ["get", "put", "post", "delete", "patch"] {
        if rule.has_field_by_name(verb) {
            let path = string_field(rule, verb);
            let body = string_field(rule, "body");
            return Ok(Some(Rule { verb: verb.to_string(), path, body }));
        }
    }
    Err("google.api.http rule without a verb".into())
}

pub(crate) fn auth_permission(options: &DynamicMessage, ext: &prost_reflect::ExtensionDescriptor) -> Option<String> {
    if !options.has_extension(ext) {
        return None;
    }
    match options.get_extension(ext).as_ref() {
        Value::Message(m) => Some(string_field(m, "permission")).filter(|p| !p.is_empty()),
        _ => None,
    }
}

fn string_field(message: &DynamicMessage, name: &str) -> String {
    message.get_field_by_name(name).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

pub(crate) fn path_params(path: &str) -> Vec<String> {
    path_template::params(path).into_iter().map(str::to_string).collect()
}

/// A field a query string may set: its dotted proto and JSON paths, the
/// JSON kind the gateway gives its value, and the field itself.
pub(crate) struct QueryParam {
    pub name: String,
    pub json: String,
    pub kind: &'static str,
    /// A repeated scalar: each value of the query string is one item
    /// (`keys=a&keys=b`), as grpc-gateway reads them.
    pub repeated: bool,
    pub field: FieldDescriptor,
}

/// How deep a query string reaches into nested messages (`a.b.c`).
const QUERY_DEPTH: usize = 3;

/// The fields a query string may set, as grpc-gateway binds them: scalars,
/// Timestamps and Durations (strings in JSON), and those of nested messages
/// by a dotted path (`query.limit`); never lists, maps, or a top-level field
/// the path sets.
pub(crate) fn query_params(message: &MessageDescriptor, in_path: &[String]) -> Vec<QueryParam> {
    let mut out = Vec::new();
    collect_query_params(message, ("", ""), QUERY_DEPTH, &mut out);
    out.retain(|p| !in_path.contains(&p.name));
    out
}

fn collect_query_params(message: &MessageDescriptor, prefix: (&str, &str), depth: usize, out: &mut Vec<QueryParam>) {
    for field in message.fields().filter(|f| !f.is_map()) {
        let name = format!("{}{}", prefix.0, field.name());
        let json = format!("{}{}", prefix.1, field.json_name());
        let repeated = field.is_list();
        match (param_kind(&field), field.kind()) {
            (Some(kind), _) => out.push(QueryParam { name, json, kind, repeated, field }),
            (None, _) if repeated => {}
            (None, Kind::Message(m)) if depth > 1 && !m.full_name().starts_with("google.") => {
                collect_query_params(&m, (&format!("{name}."), &format!("{json}.")), depth - 1, out);
            }
            (None, _) => {}
        }
    }
}

/// The `QueryKind` of a field a path or query string may set: a scalar, an
/// enum, or a Timestamp or Duration (strings in JSON); `None` for other
/// messages.
fn param_kind(field: &FieldDescriptor) -> Option<&'static str> {
    Some(match field.kind() {
        Kind::String | Kind::Bytes => "Text",
        Kind::Enum(_) => "Enum",
        Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64 => "Text",
        Kind::Bool => "Bool",
        Kind::Int32 | Kind::Uint32 | Kind::Sint32 | Kind::Fixed32 | Kind::Sfixed32 | Kind::Float | Kind::Double => {
            "Number"
        }
        Kind::Message(m) if matches!(m.full_name(), "google.protobuf.Timestamp" | "google.protobuf.Duration") => "Text",
        Kind::Message(_) => return None,
    })
}

fn rust_module(package: &str) -> String {
    let mut path = String::from("crate");
    for part in package.split('.') {
        path.push_str("::");
        path.push_str(&part.to_snake_case());
    }
    path
}

fn rust_type(message: &MessageDescriptor) -> String {
    // Nested messages live in a snake_case module named after their parent.
    let package = message.package_name();
    let relative = message.full_name().strip_prefix(package).unwrap_or(message.full_name()).trim_start_matches('.');
    let mut parts: Vec<&str> = relative.split('.').collect();
    let name = parts.pop().unwrap_or_default();
    let mut path = rust_module(package);
    for parent in parts {
        path.push_str("::");
        path.push_str(&parent.to_snake_case());
    }
    format!("{path}::{}", name.to_upper_camel_case())
}
