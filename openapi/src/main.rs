//! Writes the API's OpenAPI document to `openapi/openapi.json`:
//! `cargo run -p openapi` after changing an endpoint or a DTO.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    std::fs::write(&path, api::openapi::spec_json()?)?;
    println!("wrote {}", path.display());
    Ok(())
}
