//! Certificates that verify without the platform: the Open Badges 3.0 credential of a
//! certificate, signed by the region's Ed25519 key, checked by an independent verifier
//! (`scripts/verify-badge.py`, PyJWT and cryptography only) and here with ed25519-dalek
//! directly, against the region's published key and its revocation status list.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::{TestApp, fixtures, ok_json, problem};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::Role;
use shared::dto::documents::CertificateDto;
use uuid::Uuid;

/// A server whose demo teacher has a completed route and so a certificate.
async fn with_certificate() -> (TestApp, CertificateDto) {
    let app = TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
        ..Default::default()
    })
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let mine: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    let c = mine.into_iter().next().expect("the demo certificate");
    (app, c)
}

fn b64(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).expect("base64url")
}

/// Checks a compact JWS with the JWK set's key named by its `kid`, with nothing of the
/// server's code: the header and claims when the signature holds, else `None`.
fn verify(jwt: &str, jwks: &Value) -> Option<(Value, Value)> {
    let mut parts = jwt.trim().split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header: Value = serde_json::from_slice(&b64(h)).ok()?;
    assert_eq!(header["alg"], "EdDSA");
    let jwk = jwks["keys"]
        .as_array()?
        .iter()
        .find(|k| k["kid"] == header["kid"])?;
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    let x: [u8; 32] = b64(jwk["x"].as_str()?).try_into().ok()?;
    let key = VerifyingKey::from_bytes(&x).ok()?;
    let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    key.verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
    Some((header, serde_json::from_slice(&b64(p)).ok()?))
}

/// The bit at `index` of a status list credential's encoded list.
fn status_bit(list: &Value, index: usize) -> bool {
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let gz = b64(encoded.strip_prefix('u').expect("multibase base64url"));
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut bits)
        .unwrap();
    assert!(bits.len() * 8 >= 131_072, "at least 16 KiB");
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

/// A Python with PyJWT and cryptography: `.tools/venv` (installed by `scripts/ensure-tools.sh`
/// when missing), else the system's if it has them. `None` only when there is no Python.
fn python() -> Option<PathBuf> {
    let root = e2e::browser::workspace_root();
    let venv = root.join(".tools/venv/bin/python3");
    let usable = |py: &Path| {
        Command::new(py)
            .args(["-c", "import jwt, cryptography"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if usable(venv.as_path()) {
        return Some(venv);
    }
    if usable(Path::new("python3")) {
        return Some("python3".into());
    }
    let have_python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_python {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the independent Open Badges verifier, and python3 is missing"
        );
        println!("note: python3 is missing; the independent verifier is skipped");
        return None;
    }
    let installed = Command::new("bash")
        .arg("-c")
        .arg(". scripts/ensure-tools.sh && iom_ensure_badge_verifier")
        .current_dir(&root)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        installed && usable(venv.as_path()),
        "PyJWT and cryptography could not be installed into .tools/venv"
    );
    Some(venv)
}

/// Runs the independent verifier: its exit code (0 valid, 1 revoked, 2 not verified) and report.
/// On a blocking thread: the server under test runs on this test's runtime, and the verifier
/// calls it.
async fn run_verifier(py: &Path, args: &[&str]) -> (i32, Value) {
    let script = e2e::browser::workspace_root().join("scripts/verify-badge.py");
    let mut command = Command::new(py);
    command.arg(script).args(args);
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "the verifier's report: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

async fn text(res: reqwest::Response, content_type: &str) -> String {
    assert_eq!(res.status(), StatusCode::OK, "{}", res.url());
    let got = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(got.starts_with(content_type), "{got}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn an_issued_open_badge_verifies_with_an_independent_verifier_and_fails_after_revocation() {
    let (app, c) = with_certificate().await;
    let teacher = app.as_user("teacher@iom.test").await;
    assert_eq!(c.badge_url, format!("/api/v1/certificates/{}/badge", c.id));

    let res = teacher.get(&c.badge_url).send().await.unwrap();
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let jwt = text(res, "application/vc+jwt").await;
    let region = app.demo.region;
    let jwks_path = format!("/api/v1/regions/{region}/jwks.json");
    let jwks: Value = ok_json(app.get(&jwks_path).send().await.unwrap()).await;

    // Verified with the published key alone.
    let (header, vc) = verify(&jwt, &jwks).expect("the signature holds");
    assert_eq!(header["typ"], "vc+jwt");
    let issuer_id = format!("{}/api/v1/regions/{region}/issuer", app.base);
    let kid = header["kid"].as_str().unwrap();
    assert!(kid.starts_with(&format!("{}/api/v1/regions/{region}/keys/", app.base)));
    assert_eq!(
        vc["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ])
    );
    assert_eq!(
        vc["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(vc["id"], format!("urn:uuid:{}", c.id));
    assert_eq!(vc["iss"], issuer_id);
    assert_eq!(vc["issuer"]["id"], issuer_id);
    assert_eq!(vc["issuer"]["name"], c.issuer);
    assert_eq!(vc["nbf"], c.issued_at.timestamp());
    let subject = &vc["credentialSubject"];
    assert_eq!(
        subject["identifier"][0]["identityHash"],
        "Иванова Мария Петровна"
    );
    let achievement = &subject["achievement"];
    assert_eq!(achievement["name"], c.route_title);
    assert_eq!(achievement["humanCode"], c.number);
    assert!(
        achievement["criteria"]["narrative"]
            .as_str()
            .unwrap()
            .contains("Задачи профессионального развития")
    );
    assert!(
        !achievement["tag"].as_array().unwrap().is_empty(),
        "{achievement}"
    );
    assert_eq!(vc["evidence"][0]["id"], c.verify_url);
    let status = &vc["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    let list_url = format!("{}/api/v1/regions/{region}/status-list", app.base);
    assert_eq!(status["statusListCredential"], list_url);
    let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();

    // The kid names the key's JWK, and the issuer's profile carries it as a Multikey.
    let key: Value = ok_json(
        app.get(kid.strip_prefix(&app.base).unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(key, jwks["keys"][0]);
    let profile: Value = ok_json(
        app.get(&format!("/api/v1/regions/{region}/issuer"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(profile["id"], issuer_id);
    assert_eq!(profile["type"], json!(["Profile"]));
    assert_eq!(profile["verificationMethod"][0]["id"], kid);
    assert!(
        profile["verificationMethod"][0]["publicKeyMultibase"]
            .as_str()
            .unwrap()
            .starts_with("z6Mk")
    );

    // The status list: signed by the same key, the bit clear.
    let list_jwt = text(
        app.client.get(&list_url).send().await.unwrap(),
        "application/vc+jwt",
    )
    .await;
    let (_, list) = verify(&list_jwt, &jwks).expect("the status list's signature holds");
    assert_eq!(list["id"], list_url);
    assert_eq!(list["issuer"], issuer_id);
    assert_eq!(list["credentialSubject"]["statusPurpose"], "revocation");
    assert!(!status_bit(&list, index));

    // A changed credential does not verify.
    let mut forged: Vec<&str> = jwt.split('.').collect();
    let mut claims = vc.clone();
    claims["credentialSubject"]["achievement"]["name"] = json!("Подделка");
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    forged[1] = &forged_payload;
    let forged = forged.join(".");
    assert!(verify(&forged, &jwks).is_none());

    // The independent verifier, online (the list fetched from the credential) and offline.
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_string_lossy().into_owned()
    };
    let badge_file = file("badge.jwt", &jwt);
    let forged_file = file("forged.jwt", &forged);
    let jwks_file = file("jwks.json", &serde_json::to_string(&jwks).unwrap());
    let list_file = file("status-list.jwt", &list_jwt);
    let jwks_url = app.url(&jwks_path);
    let py = python();
    if let Some(py) = &py {
        let (code, report) = run_verifier(py, &[&badge_file, "--jwks", &jwks_url]).await;
        assert_eq!(code, 0, "{report}");
        println!("the independent verifier: {report}");
        assert_eq!(report["valid"], true);
        assert_eq!(report["achievement"], c.route_title);
        let (code, report) = run_verifier(
            py,
            &[
                &badge_file,
                "--jwks",
                &jwks_file,
                "--status-list",
                &list_file,
            ],
        )
        .await;
        assert_eq!(code, 0, "offline: {report}");
        let (code, report) = run_verifier(py, &[&forged_file, "--jwks", &jwks_file]).await;
        assert_eq!(code, 2, "a forged credential: {report}");
        // Another key is not the region's.
        let other = json!({ "keys": [{
            "kty": "OKP", "crv": "Ed25519", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode([9u8; 32]),
        }]});
        let other_file = file("other.json", &other.to_string());
        let (code, report) = run_verifier(py, &[&badge_file, "--jwks", &other_file]).await;
        assert_eq!(code, 2, "another key: {report}");
    }

    // Revoked by the region's manager: the credential still downloads, and fails.
    let manager = app.as_user("manager@iom.test").await;
    let _: CertificateDto = ok_json(
        manager
            .post(&format!("/api/v1/certificates/{}/revoke", c.id))
            .json(&json!({ "reason": "Выдано ошибочно" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let list_jwt = text(
        app.client.get(&list_url).send().await.unwrap(),
        "application/vc+jwt",
    )
    .await;
    let (_, list) = verify(&list_jwt, &jwks).unwrap();
    assert!(status_bit(&list, index));
    let again = text(
        teacher.get(&c.badge_url).send().await.unwrap(),
        "application/vc+jwt",
    )
    .await;
    let (_, vc_again) = verify(&again, &jwks).expect("still signed");
    assert_eq!(vc_again["credentialStatus"], *status);
    if let Some(py) = &py {
        let again_file = file("again.jwt", &again);
        for badge in [&badge_file, &again_file] {
            let (code, report) = run_verifier(py, &[badge, "--jwks", &jwks_url]).await;
            assert_eq!(code, 1, "{report}");
            assert_eq!(report["revoked"], true);
            assert_eq!(report["valid"], false);
        }
        // Offline, a list fetched before the revocation still says valid (until it expires);
        // the new one says revoked.
        let (code, _) = run_verifier(
            py,
            &[
                &badge_file,
                "--jwks",
                &jwks_file,
                "--status-list",
                &list_file,
            ],
        )
        .await;
        assert_eq!(code, 0);
        let new_list = file("status-list-2.jwt", &list_jwt);
        let (code, _) = run_verifier(
            py,
            &[
                &badge_file,
                "--jwks",
                &jwks_file,
                "--status-list",
                &new_list,
            ],
        )
        .await;
        assert_eq!(code, 1);
    }
}

#[tokio::test]
async fn badges_are_for_those_who_may_see_the_certificate_and_the_issuers_keys_are_public() {
    let (app, c) = with_certificate().await;
    let json_url = format!("{}.json", c.badge_url);

    // The certificate's readers: the teacher, their school and region.
    for email in ["teacher@iom.test", "director@iom.test", "manager@iom.test"] {
        let user = app.as_user(email).await;
        let res = user.get(&c.badge_url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{email}");
        let res = user.get(&json_url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{email}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/ld+json")
        );
        let vc: Value = res.json().await.unwrap();
        assert_eq!(vc["type"][1], "OpenBadgeCredential");
        assert!(vc.get("proof").is_none() && vc.get("iss").is_none());
    }

    // Strangers: another school's director, a colleague at the same school, the administrator.
    fixtures::person(
        &app.db,
        "other@iom.test",
        Role::Director,
        Some(app.demo.school_2),
    )
    .await;
    fixtures::person(
        &app.db,
        "colleague@iom.test",
        Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    for email in ["other@iom.test", "colleague@iom.test", "admin@iom.test"] {
        let user = app.as_user(email).await;
        for path in [&c.badge_url, &json_url] {
            let res = user.get(path).send().await.unwrap();
            problem(res, StatusCode::NOT_FOUND).await;
        }
    }
    let res = app.get(&c.badge_url).send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let res = teacher
        .get(&format!("/api/v1/certificates/{}/badge", Uuid::now_v7()))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // The issuer, its keys and its status list: no sign-in, cacheable; one key per region.
    let region = app.demo.region;
    for (path, content_type) in [
        (
            format!("/api/v1/regions/{region}/issuer"),
            "application/ld+json",
        ),
        (
            format!("/api/v1/regions/{region}/jwks.json"),
            "application/jwk-set+json",
        ),
        (
            format!("/api/v1/regions/{region}/status-list"),
            "application/vc+jwt",
        ),
    ] {
        let res = app.get(&path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(content_type),
            "{path}"
        );
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("public")
        );
    }
    let a: Value = ok_json(
        app.get(&format!("/api/v1/regions/{region}/jwks.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let b: Value = ok_json(
        app.get(&format!("/api/v1/regions/{region}/jwks.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a, b);
    assert_eq!(a["keys"].as_array().unwrap().len(), 1);
    assert!(a["keys"][0].get("d").is_none(), "never the private key");

    // Not a region, no such region, no such key, not an id: problem+json, never a 500.
    for path in [
        format!("/api/v1/regions/{}/issuer", app.demo.school),
        format!("/api/v1/regions/{}/jwks.json", Uuid::now_v7()),
        format!("/api/v1/regions/{}/status-list", app.demo.municipality_a),
        format!("/api/v1/regions/{region}/keys/not-a-key"),
        format!("/api/v1/regions/{region}/keys/{}", "A".repeat(400)),
    ] {
        let res = app.get(&path).send().await.unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
    let res = app
        .get("/api/v1/regions/nonsense/issuer")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_certificate_issued_before_the_status_lists_gets_its_place_when_first_asked() {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let (app, c) = with_certificate().await;
    let row = api::db::entities::certificate::Entity::find_by_id(c.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let issued_with = row.status_index.expect("an index from the issue");
    let mut am = row.into_active_model();
    am.status_index = Set(None);
    am.update(&app.db).await.unwrap();

    let teacher = app.as_user("teacher@iom.test").await;
    let first: Value = teacher.get_json(&format!("{}.json", c.badge_url)).await;
    let second: Value = teacher.get_json(&format!("{}.json", c.badge_url)).await;
    let index = first["credentialStatus"]["statusListIndex"].clone();
    assert_eq!(index, second["credentialStatus"]["statusListIndex"]);
    // A new place, never one already given.
    assert_ne!(index, json!(issued_with.to_string()));
    let stored = api::db::entities::certificate::Entity::find_by_id(c.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.status_index.map(|i| i.to_string()),
        index.as_str().map(str::to_owned)
    );
}

#[tokio::test]
async fn the_public_issuer_pages_refuse_a_flood_and_positions_are_not_sequential() {
    use sea_orm::EntityTrait;
    let (app, c) = with_certificate().await;
    let region = app.demo.region;
    // The demo certificate's position is drawn at random from the first list, not 0.
    let row = api::db::entities::certificate::Entity::find_by_id(c.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let index = row.status_index.expect("a position");
    assert!(
        (0..131_072).contains(&index),
        "within the first list: {index}"
    );
    // Draws spread over the list rather than counting up.
    let mut drawn = Vec::new();
    for _ in 0..20 {
        drawn.push(
            api::services::documents::badges::next_status_index(&app.db, region)
                .await
                .unwrap(),
        );
    }
    assert!(
        drawn.windows(2).any(|w| w[1] != w[0] + 1),
        "not consecutive: {drawn:?}"
    );
    assert!(drawn.iter().any(|&i| i > 1000), "spread: {drawn:?}");
    assert!(!drawn.contains(&index), "a taken position is never drawn");
    // A verifier that asks more often than it may is told when to come back; each page
    // counts towards the same allowance.
    let mut statuses = Vec::new();
    for i in 0..api::services::documents::badges::PUBLIC_PER_MINUTE {
        let path = match i % 3 {
            0 => format!("/api/v1/regions/{region}/issuer"),
            1 => format!("/api/v1/regions/{region}/jwks.json"),
            _ => format!("/api/v1/regions/{region}/status-list"),
        };
        statuses.push(app.get(&path).send().await.unwrap().status());
    }
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
    let res = app
        .get(&format!("/api/v1/regions/{region}/issuer"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}
