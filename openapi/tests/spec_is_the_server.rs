//! The document must describe what the server really reads and writes: every enumeration's
//! values are exactly the wire codes serde accepts, and every example in the document is
//! accepted by the server's own deserialiser and validation.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec() -> Value {
    serde_json::from_str(&api::openapi::spec_json().expect("the spec serialises"))
        .expect("the spec is JSON")
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    spec.pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("no schema {name} in the document"))
}

/// Checks that the schema's `enum` lists exactly `all`, the values serde writes, and that serde
/// reads back every listed value.
fn check_enum<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    spec: &Value,
    name: &str,
    all: &[T],
) -> Result<(), String> {
    let listed: Vec<Value> = schema(spec, name)["enum"]
        .as_array()
        .ok_or_else(|| format!("{name} has no enum"))?
        .clone();
    let written: Vec<Value> = all
        .iter()
        .map(|v| serde_json::to_value(v).expect("an enum value serialises"))
        .collect();
    if listed != written {
        return Err(format!(
            "{name}: the document lists {listed:?}, serde writes {written:?}"
        ));
    }
    for value in listed {
        let read: T = serde_json::from_value(value.clone())
            .map_err(|e| format!("{name}: serde refuses the listed {value}: {e}"))?;
        if serde_json::to_value(&read).expect("serialises") != value {
            return Err(format!("{name}: {value} does not round-trip"));
        }
    }
    Ok(())
}

#[test]
fn every_enumeration_in_the_document_is_what_serde_reads_and_writes() {
    use shared::access::ClientScope;
    use shared::attestation::{ClockState, TrainingSource};
    use shared::bank::{BankStatus, EducationLevel};
    use shared::catalogue::{
        EnrolmentPlace, EnrolmentStatus, EventFormat, EventKind, EventStatus, Proximity,
        SchoolLevel,
    };
    use shared::consent::{ConsentMethod, PurposeKind};
    use shared::diagnostics::Trend;
    use shared::dto::{
        AssignmentKind, DeliveryStatus, DraftJobStatus, ErasureStatus, FrameworkStatus,
        ImportAction, ImportLayout, InvitationState, MailStatus, MatchBy, PersonalExportStatus,
        ResultSource, TokenPurpose, WebhookEvent,
    };
    use shared::events::{EventKind as DomainEventKind, NoticeChannel, NoticeKind, TodoKind};
    use shared::portfolio::{PortfolioItemKind, PortfolioSection};
    use shared::retention::RetentionTrigger;
    use shared::workflow::{Outcome, Participant, RouteAction};
    use shared::{
        ActivityStatus, CompetencyLevel, DeficitState, DiagnosticKind, EventLevel, PeriodKind,
        Role, RouteStatus, Section, Stage, UnitKind,
    };

    let spec = spec();
    let mut checked = BTreeSet::new();
    let mut problems = Vec::new();
    macro_rules! domain {
        ($($t:ident),+ $(,)?) => {$(
            checked.insert(stringify!($t).to_owned());
            if let Err(e) = check_enum(&spec, stringify!($t), $t::ALL) {
                problems.push(e);
            }
        )+};
    }
    domain!(
        ActivityStatus,
        AssignmentKind,
        BankStatus,
        ClientScope,
        ClockState,
        CompetencyLevel,
        DeficitState,
        ConsentMethod,
        DeliveryStatus,
        DiagnosticKind,
        DomainEventKind,
        DraftJobStatus,
        EducationLevel,
        EnrolmentPlace,
        EnrolmentStatus,
        ErasureStatus,
        EventFormat,
        EventKind,
        EventLevel,
        EventStatus,
        FrameworkStatus,
        ImportAction,
        ImportLayout,
        InvitationState,
        MailStatus,
        MatchBy,
        NoticeChannel,
        NoticeKind,
        Outcome,
        Participant,
        PeriodKind,
        PersonalExportStatus,
        PortfolioItemKind,
        PortfolioSection,
        PurposeKind,
        ResultSource,
        RetentionTrigger,
        Role,
        RouteAction,
        RouteStatus,
        SchoolLevel,
        Section,
        Stage,
        TodoKind,
        TokenPurpose,
        TrainingSource,
        Trend,
        UnitKind,
        WebhookEvent,
    );
    checked.insert("Proximity".to_owned());
    if let Err(e) = check_enum(
        &spec,
        "Proximity",
        &[
            Proximity::School,
            Proximity::Municipality,
            Proximity::District,
            Proximity::Region,
            Proximity::Elsewhere,
        ],
    ) {
        problems.push(e);
    }

    // A new enumeration in the document must be added here.
    let unchecked: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter(|(name, s)| s.get("enum").is_some() && !checked.contains(*name))
        .map(|(name, _)| name)
        .collect();
    assert!(
        unchecked.is_empty(),
        "enumerations not compared with serde: {unchecked:?}"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The example must be read by serde, pass the server's validation, and be written back with
/// the same fields and values.
fn check_example<T: Serialize + DeserializeOwned + validator::Validate>(
    spec: &Value,
    name: &str,
) -> Result<(), String> {
    let example = schema(spec, name)
        .get("example")
        .ok_or_else(|| format!("{name} has no example"))?;
    let read: T = serde_json::from_value(example.clone())
        .map_err(|e| format!("{name}: the server's deserialiser refuses its example: {e}"))?;
    read.validate()
        .map_err(|e| format!("{name}: the server's validation refuses its example: {e}"))?;
    let written = serde_json::to_value(&read).expect("serialises");
    for (field, value) in example.as_object().expect("an object example") {
        if written.get(field) != Some(value) {
            return Err(format!(
                "{name}.{field}: the example says {value}, the server reads {:?}",
                written.get(field)
            ));
        }
    }
    Ok(())
}

#[test]
fn every_schema_example_round_trips_through_the_servers_deserialiser() {
    use shared::dto::{
        CreateClient, CreatePerson, CreateRoute, LoginRequest, RouteDraftsInput, TransitionRequest,
    };

    let spec = spec();
    let mut checked = BTreeSet::new();
    let mut problems = Vec::new();
    macro_rules! examples {
        ($($t:ident),+ $(,)?) => {$(
            checked.insert(stringify!($t).to_owned());
            if let Err(e) = check_example::<$t>(&spec, stringify!($t)) {
                problems.push(e);
            }
        )+};
    }
    examples!(
        CreateClient,
        CreatePerson,
        CreateRoute,
        LoginRequest,
        RouteDraftsInput,
        TransitionRequest
    );

    // A new example in the document must be added here.
    let unchecked: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter(|(name, s)| s.get("example").is_some() && !checked.contains(*name))
        .map(|(name, _)| name)
        .collect();
    assert!(
        unchecked.is_empty(),
        "schema examples not round-tripped: {unchecked:?}"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn uploads_and_downloads_are_binary_bodies() {
    let spec = spec();
    let mut wrong = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let mut bodies: Vec<(&String, &Value)> = Vec::new();
            if let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            {
                bodies.extend(content.iter());
            }
            for response in op["responses"].as_object().expect("responses").values() {
                if let Some(content) = response.get("content").and_then(Value::as_object) {
                    bodies.extend(content.iter());
                }
            }
            for (media, content) in bodies {
                let schema = &content["schema"];
                if schema["type"] == "array" && schema["items"]["type"] == "integer" {
                    wrong.push(format!("{method} {path} ({media})"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "bodies described as arrays of numbers: {wrong:?}"
    );
}

#[test]
fn every_operation_documents_the_errors_its_shape_allows() {
    let spec = spec();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let responses = op["responses"].as_object().expect("responses");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut needed = Vec::new();
            if params.iter().any(|p| p["in"] == "path") {
                needed.push("404");
            }
            if op.get("requestBody").is_some() {
                needed.extend(["400", "413", "415", "422"]);
            }
            if op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| {
                    s.iter()
                        .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
                })
            {
                needed.extend(["401", "403"]);
            }
            for status in needed {
                match responses.get(status) {
                    Some(r)
                        if r["$ref"]
                            .as_str()
                            .is_some_and(|r| r.starts_with("#/components/responses/")) => {}
                    _ => missing.push(format!("{method} {path} {status}")),
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented error answers: {missing:?}"
    );
    for name in ["BadRequest", "Unauthorized", "NotFound", "Unprocessable"] {
        assert_eq!(
            spec.pointer(&format!(
                "/components/responses/{name}/content/application~1problem+json/schema/$ref"
            )),
            Some(&Value::from("#/components/schemas/Problem")),
            "{name} is a problem+json answer"
        );
    }
}
