//! The JSON Schema of the config file, generated from the config types.
//!
//! The types in [`crate::config`] are the one source of truth: their doc
//! comments become the schema's `description`s. The committed
//! `schemas/logfig.schema.json` is checked against this output by a test.

/// The JSON Schema (draft-07, as yaml-language-server expects) of a logfig
/// config file.
///
/// # Examples
///
/// ```
/// let schema = logfig::schema();
/// assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
/// assert!(schema["properties"]["handlers"].is_object());
/// ```
pub fn schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::Config>();
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("title".into(), "logfig config".into());
        obj.insert(
            "$id".into(),
            "https://github.com/logfig/logfig/schemas/logfig.schema.json".into(),
        );
    }
    value
}
