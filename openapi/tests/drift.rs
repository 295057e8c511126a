//! The committed OpenAPI document must be exactly what the code generates.

use std::path::Path;

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = api::openapi::spec_json().expect("the spec serialises");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code; regenerate it with \
         `cargo run -p openapi` and commit the result"
    );
}

#[test]
fn every_operation_is_documented_with_a_tag_and_a_summary() {
    let spec = api::openapi::spec();
    let mut missing = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ops = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let tagged = op.tags.as_ref().is_some_and(|t| !t.is_empty());
                let described = op.summary.as_ref().is_some_and(|s| !s.is_empty());
                if !tagged || !described {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented operations: {missing:?}");
}
