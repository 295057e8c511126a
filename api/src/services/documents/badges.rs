//! Certificates that verify without the platform: each completion certificate is also an
//! Open Badges 3.0 credential (a W3C Verifiable Credential, JSON-LD), secured as a VC-JWT signed
//! with the region's Ed25519 key, and revoked through the region's Bitstring Status List.
//!
//! * The region's key pair is made the first time it is needed and kept in the database; the
//!   private half never leaves the server. The public half is published as a JWK (set) and, in
//!   the issuer's profile, as a Multikey.
//! * Signing: `jsonwebtoken` (EdDSA over `ed25519-dalek`, the RustCrypto backend); the header's
//!   `kid` is the URL that answers with the key's JWK.
//! * Revocation: every certificate gets a position in its region's status list at issue; the
//!   list is built from the certificates' revocations whenever it is asked for, so revoking a
//!   certificate sets its bit at once.
//!
//! What the credential says, and how an outsider verifies it, is in `docs/integration.md`.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::certificates::{self, Content};
use crate::auth::Principal;
use crate::db;
use crate::db::entities::{certificate, credential_key, org_unit};
use crate::error::{AppError, AppResult};
use crate::services::route::access;
use crate::state::AppState;

/// The media type of a credential secured as a JWT (VC-JOSE-COSE).
pub const VC_JWT: &str = "application/vc+jwt";
/// Bits in a status list: the minimum the specification sets (16 KiB), for group privacy.
pub const STATUS_LIST_BITS: usize = 131_072;
/// How long a signed status list stays valid; verifiers fetch a fresh one after that.
pub const STATUS_LIST_VALID_HOURS: i64 = 24;

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// The public addresses of one region's issuer.
#[derive(Debug, Clone)]
pub struct Urls {
    base: String,
    region: Uuid,
}

impl Urls {
    pub fn new(base_url: &str, region: Uuid) -> Self {
        Urls {
            base: base_url.trim_end_matches('/').to_owned(),
            region,
        }
    }

    fn region_path(&self) -> String {
        format!("{}/api/v1/regions/{}", self.base, self.region)
    }

    /// The issuer's id: its Open Badges profile.
    pub fn issuer(&self) -> String {
        format!("{}/issuer", self.region_path())
    }

    /// The key's id (`kid`): answers with the key's JWK.
    pub fn key(&self, thumbprint: &str) -> String {
        format!("{}/keys/{thumbprint}", self.region_path())
    }

    pub fn jwks(&self) -> String {
        format!("{}/jwks.json", self.region_path())
    }

    pub fn status_list(&self) -> String {
        format!("{}/status-list", self.region_path())
    }
}

/// A region's signing key.
pub struct RegionKey {
    pub thumbprint: String,
    pub public: [u8; 32],
    signing: SigningKey,
}

impl std::fmt::Debug for RegionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionKey")
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl RegionKey {
    fn from_seed(seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        RegionKey {
            thumbprint: thumbprint(&public),
            public,
            signing,
        }
    }

    fn from_model(m: &credential_key::Model) -> AppResult<Self> {
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode(&m.private_key)
            .map_err(anyhow::Error::from)?
            .try_into()
            .map_err(|_| anyhow::anyhow!("credential key {} is not 32 bytes", m.id))?;
        let key = RegionKey::from_seed(seed);
        if key.thumbprint != m.thumbprint {
            return Err(
                anyhow::anyhow!("credential key {} does not match its thumbprint", m.id).into(),
            );
        }
        Ok(key)
    }

    /// The public key as a JWK (RFC 8037), with its id.
    pub fn jwk(&self, kid: &str) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.public),
            "kid": kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// The public key as a Multikey (`z6Mk…`: base58btc of the Ed25519 multicodec and the key).
    pub fn multikey(&self) -> String {
        let mut bytes = vec![0xed, 0x01];
        bytes.extend_from_slice(&self.public);
        format!("z{}", base58btc(&bytes))
    }

    /// `claims` as a compact JWS: `alg: EdDSA`, `typ: vc+jwt`, `kid` the key's URL.
    fn sign(&self, kid: &str, claims: &Value) -> AppResult<String> {
        let der = self
            .signing
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("encoding the signing key: {e}"))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("vc+jwt".into());
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der.as_bytes()))
            .map_err(|e| AppError::Unexpected(e.into()))
    }
}

/// The RFC 7638 thumbprint of an Ed25519 public key's JWK.
pub fn thumbprint(public: &[u8; 32]) -> String {
    // The required members in lexicographic order, without whitespace.
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Base58 with the Bitcoin alphabet (the `z` multibase).
fn base58btc(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    // Base-58 digits, least significant first.
    let mut digits: Vec<u8> = Vec::new();
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = "1".repeat(zeros);
    out.extend(
        digits
            .iter()
            .rev()
            .map(|&d| char::from(ALPHABET[usize::from(d)])),
    );
    out
}

/// A region by its id (any other unit, or none, is not found).
/// The region's signing key, made on first need. Instances racing to make it agree on the one
/// stored first.
pub async fn region_key(db: &impl ConnectionTrait, region_id: Uuid) -> AppResult<RegionKey> {
    let find =
        || credential_key::Entity::find().filter(credential_key::Column::RegionId.eq(region_id));
    if let Some(m) = find().one(db).await? {
        return RegionKey::from_model(&m);
    }
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = RegionKey::from_seed(seed);
    let now = db::now();
    credential_key::Entity::insert(credential_key::ActiveModel {
        id: Set(db::new_id()),
        created_at: Set(now),
        updated_at: Set(now),
        region_id: Set(region_id),
        algorithm: Set("Ed25519".into()),
        thumbprint: Set(key.thumbprint.clone()),
        public_key: Set(URL_SAFE_NO_PAD.encode(key.public)),
        private_key: Set(URL_SAFE_NO_PAD.encode(seed)),
    })
    .on_conflict(
        OnConflict::column(credential_key::Column::RegionId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let stored = find()
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the credential key of region {region_id} vanished"))?;
    RegionKey::from_model(&stored)
}

/// Requests to the public issuer pages (profile, keys, status list) per address per minute:
/// verifiers cache them (they say for how long), so a client asking more often is a flood.
pub const PUBLIC_PER_MINUTE: i32 = 120;

/// Refuses a client that asked the public issuer pages too often this minute (429 with when to
/// come back).
pub async fn throttle(state: &AppState, req: &actix_web::HttpRequest) -> AppResult<()> {
    let address = crate::middleware::client_address::of(req).map(|a| a.to_string());
    let key = format!("badges:{}", address.as_deref().unwrap_or("unknown"));
    let rate =
        crate::services::integration::rate::hit(&state.db, &key, PUBLIC_PER_MINUTE, db::now())
            .await?;
    if !rate.allowed {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(rate.reset).unwrap_or(60),
        });
    }
    Ok(())
}

/// A free position in the region's status list, drawn at random (the Bitstring Status List
/// recommends it: sequential positions would tell a verifier the order and the count of
/// certificates). The region's counter row, taken under the caller's transaction, serialises
/// issuers, so two cannot draw the same free position.
pub async fn next_status_index(db: &impl ConnectionTrait, region_id: Uuid) -> AppResult<i32> {
    use rand::Rng;
    let issued = certificates::count_up(db, &format!("status:{region_id}")).await?;
    let capacity = status_capacity(issued);
    // At most half the positions are used, so a draw fails with probability ≤ 1/2.
    for _ in 0..64 {
        let candidate = rand::rngs::OsRng.gen_range(0..capacity);
        let taken = certificate::Entity::find()
            .filter(certificate::Column::RegionId.eq(region_id))
            .filter(certificate::Column::StatusIndex.eq(candidate))
            .count(db)
            .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    Err(AppError::Unexpected(anyhow::anyhow!(
        "no free status list position in region {region_id}"
    )))
}

/// The positions drawn from once `issued` certificates have one: whole lists of
/// [`STATUS_LIST_BITS`], at least twice as many as the certificates.
pub fn status_capacity(issued: i32) -> i32 {
    let bits = u32::try_from(STATUS_LIST_BITS).unwrap_or(u32::MAX);
    let needed = u32::try_from(issued.max(1)).unwrap_or(1).saturating_mul(2);
    let lists = needed.div_ceil(bits).max(1);
    i32::try_from(lists.saturating_mul(bits)).unwrap_or(i32::MAX)
}

/// The certificate's position in its region's status list, given now if it was issued before
/// the lists existed.
async fn ensure_status_index(state: &AppState, c: certificate::Model) -> AppResult<i32> {
    if let Some(i) = c.status_index {
        return Ok(i);
    }
    let txn = db::begin_write(&state.db).await?;
    let fresh = certificate::Entity::find_by_id(c.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(i) = fresh.status_index {
        txn.rollback().await?;
        return Ok(i);
    }
    let index = next_status_index(&txn, fresh.region_id).await?;
    let mut am = fresh.into_active_model();
    am.status_index = Set(Some(index));
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(index)
}

fn midnight(d: NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The name of the issuing centre of a region, as certificates print it.
pub fn issuer_name(region: &org_unit::Model) -> String {
    format!(
        "Центр непрерывного повышения профессионального мастерства педагогических работников, {}",
        region.name
    )
}

/// The issuer's Open Badges profile, with its public key as a verification method.
pub fn profile(urls: &Urls, base_url: &str, region: &org_unit::Model, key: &RegionKey) -> Value {
    let issuer = urls.issuer();
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer,
        "type": ["Profile"],
        "name": issuer_name(region),
        "url": base_url.trim_end_matches('/'),
        "description": "Выдаёт свидетельства о прохождении индивидуальных образовательных маршрутов педагогов региона.",
        "verificationMethod": [{
            "id": urls.key(&key.thumbprint),
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": key.multikey(),
        }],
    })
}

/// The certificate as an Open Badges 3.0 credential (unsigned). Pure: what it says comes from
/// the certificate as issued.
pub fn credential(
    urls: &Urls,
    c: &certificate::Model,
    verify_url: &str,
    status_index: i32,
) -> Value {
    let content: Content = serde_json::from_str(&c.content).unwrap_or_default();
    let mut description = format!(
        "Педагог прошёл индивидуальный образовательный маршрут «{}» с {} по {}",
        c.route_title, c.period_start, c.period_end
    );
    if let Some(h) = c.hours {
        description.push_str(&format!(
            "; повышение квалификации по дорожной карте: {} ч",
            super::card::format_number(h)
        ));
    }
    description.push('.');
    let mut criteria = String::from(
        "Маршрут завершён: мероприятия дорожной карты выполнены, методический продукт прошёл \
         экспертизу, тьютор составил заключение.",
    );
    if !content.tasks.is_empty() {
        criteria.push_str("\n\nЗадачи профессионального развития:");
        for (i, t) in content.tasks.iter().enumerate() {
            criteria.push_str(&format!("\n{}. {t}", i + 1));
        }
    }
    if let Some(o) = &content.outcome {
        criteria.push_str(&format!("\n\nИтог: {o}."));
    }
    let status_list = urls.status_list();
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", c.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("Свидетельство № {} о прохождении индивидуального образовательного маршрута", c.number),
        "issuer": {
            "id": urls.issuer(),
            "type": ["Profile"],
            "name": c.issuer,
        },
        "validFrom": timestamp(c.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": false,
                "identityHash": c.person_name,
            }],
            "activityStartDate": midnight(c.period_start),
            "activityEndDate": midnight(c.period_end),
            "achievement": {
                "id": format!("urn:uuid:{}", c.route_id),
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": c.route_title,
                "description": description,
                "criteria": { "narrative": criteria },
                "humanCode": c.number,
                "tag": content.competencies,
            },
        },
        "evidence": [{
            "id": verify_url,
            "type": ["Evidence"],
            "name": format!("Страница проверки свидетельства № {}", c.number),
            "narrative": "Публичная страница проверки, на которую ведёт QR-код бумажного свидетельства.",
        }],
        "credentialStatus": {
            "id": format!("{status_list}#{status_index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status_index.to_string(),
            "statusListCredential": status_list,
        },
        "credentialSchema": [{
            "id": OB_SCHEMA,
            "type": "1EdTechJsonSchemaValidator2019",
        }],
    })
}

/// The JWT claims of a credential: its members at the top level (VC-JOSE-COSE), with the
/// registered claims Open Badges 3.0 asks for (`iss`, `jti`, `nbf`).
fn claims(credential: &Value, issuer: &str, id: &str, valid_from: DateTime<Utc>) -> Value {
    let mut claims = credential.clone();
    if let Some(map) = claims.as_object_mut() {
        map.insert("iss".into(), issuer.into());
        map.insert("jti".into(), id.into());
        map.insert("nbf".into(), valid_from.timestamp().into());
    }
    claims
}

/// A certificate's credential and what signs it, for everyone who may read the certificate.
async fn load(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(certificate::Model, Urls, Value)> {
    let (c, ctx) = certificates::load(state, principal, id).await?;
    access::audit_read(
        state,
        principal,
        &ctx,
        "certificate.badge",
        "certificate",
        c.id,
    );
    let urls = Urls::new(&state.base_url, c.region_id);
    let verify_url = certificates::verify_url(state, &c.code);
    let index = ensure_status_index(state, c.clone()).await?;
    let vc = credential(&urls, &c, &verify_url, index);
    Ok((c, urls, vc))
}

/// A downloaded badge.
#[derive(Debug)]
pub struct Badge {
    pub body: String,
    pub filename: String,
}

/// The certificate's Open Badges credential as a VC-JWT signed by the region's key.
pub async fn badge(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Badge> {
    let (c, urls, vc) = load(state, principal, id).await?;
    let key = region_key(&state.db, c.region_id).await?;
    let jwt = key.sign(
        &urls.key(&key.thumbprint),
        &claims(
            &vc,
            &urls.issuer(),
            &format!("urn:uuid:{}", c.id),
            c.issued_at,
        ),
    )?;
    Ok(Badge {
        body: jwt,
        filename: super::file_name(&format!("Бейдж_{}", c.number), "jwt"),
    })
}

/// The same credential unsigned, as JSON-LD, for display.
pub async fn badge_json(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Badge> {
    let (c, _, vc) = load(state, principal, id).await?;
    Ok(Badge {
        body: serde_json::to_string_pretty(&vc).map_err(anyhow::Error::from)?,
        filename: super::file_name(&format!("Бейдж_{}", c.number), "json"),
    })
}

/// The region's issuer profile (public).
pub async fn issuer(state: &AppState, region_id: Uuid) -> AppResult<Value> {
    let region = crate::services::units::region(&state.db, region_id).await?;
    let key = region_key(&state.db, region.id).await?;
    let urls = Urls::new(&state.base_url, region.id);
    Ok(profile(&urls, &state.base_url, &region, &key))
}

/// The region's public keys as a JWK set (public).
pub async fn jwks(state: &AppState, region_id: Uuid) -> AppResult<Value> {
    let region = crate::services::units::region(&state.db, region_id).await?;
    let key = region_key(&state.db, region.id).await?;
    let urls = Urls::new(&state.base_url, region.id);
    Ok(json!({ "keys": [key.jwk(&urls.key(&key.thumbprint))] }))
}

/// One public key of the region by its thumbprint, as a JWK (what a `kid` dereferences to).
pub async fn key(state: &AppState, region_id: Uuid, thumbprint: &str) -> AppResult<Value> {
    let region = crate::services::units::region(&state.db, region_id).await?;
    let key = region_key(&state.db, region.id).await?;
    if key.thumbprint != thumbprint {
        return Err(AppError::NotFound);
    }
    let urls = Urls::new(&state.base_url, region.id);
    Ok(key.jwk(&urls.key(&key.thumbprint)))
}

/// The bitstring (bit 0 is the first byte's most significant bit) with the given positions
/// set, GZIP-compressed and multibase base64url encoded (`u…`).
pub fn encoded_list(set: &[i32], positions: usize) -> AppResult<String> {
    let bits = positions.div_ceil(STATUS_LIST_BITS).max(1) * STATUS_LIST_BITS;
    let mut bytes = vec![0u8; bits / 8];
    for i in set.iter().filter_map(|&i| usize::try_from(i).ok()) {
        if i < bits {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).map_err(anyhow::Error::from)?;
    let compressed = gz.finish().map_err(anyhow::Error::from)?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
}

/// The region's revocation list as a Bitstring Status List credential, signed (public).
pub async fn status_list(state: &AppState, region_id: Uuid) -> AppResult<String> {
    let region = crate::services::units::region(&state.db, region_id).await?;
    let key = region_key(&state.db, region.id).await?;
    let urls = Urls::new(&state.base_url, region.id);
    let in_region = certificate::Column::RegionId.eq(region.id);
    let revoked: Vec<i32> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::StatusIndex)
        .filter(in_region.clone())
        .filter(certificate::Column::RevokedAt.is_not_null())
        .filter(certificate::Column::StatusIndex.is_not_null())
        .into_tuple()
        .all(&state.db)
        .await?;
    let highest: Option<Option<i32>> = certificate::Entity::find()
        .select_only()
        .column_as(certificate::Column::StatusIndex.max(), "highest")
        .filter(in_region)
        .into_tuple()
        .one(&state.db)
        .await?;
    let positions = highest
        .flatten()
        .and_then(|h| usize::try_from(h).ok())
        .map_or(0, |h| h + 1);
    let now = db::now();
    let until = now + Duration::hours(STATUS_LIST_VALID_HOURS);
    let id = urls.status_list();
    let vc = json!({
        "@context": [VC_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.issuer(),
        "validFrom": timestamp(now),
        "validUntil": timestamp(until),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(&revoked, positions)?,
        },
    });
    let mut claims = claims(&vc, &urls.issuer(), &id, now);
    if let Some(map) = claims.as_object_mut() {
        map.insert("iat".into(), now.timestamp().into());
        map.insert("exp".into(), until.timestamp().into());
    }
    key.sign(&urls.key(&key.thumbprint), &claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn base58_matches_the_bitcoin_alphabet() {
        assert_eq!(base58btc(b"Hello World!"), "2NEpo7TZRRrLZSi2U");
        assert_eq!(base58btc(&[0, 0, 1]), "112");
        assert_eq!(base58btc(&[]), "");
    }

    #[test]
    fn a_key_has_a_multikey_and_an_rfc7638_thumbprint() {
        // RFC 8037, appendix A.1–A.3: the key and its thumbprint.
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
            .unwrap()
            .try_into()
            .unwrap();
        let key = RegionKey::from_seed(seed);
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.public),
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        );
        assert_eq!(
            key.thumbprint,
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        assert!(key.multikey().starts_with("z6Mk"), "{}", key.multikey());
    }

    #[test]
    fn the_status_list_is_at_least_16_kib_with_the_set_bits_from_the_left() {
        let encoded = encoded_list(&[0, 9, 131_071], 10).unwrap();
        let gz = URL_SAFE_NO_PAD.decode(&encoded[1..]).unwrap();
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bits)
            .unwrap();
        assert_eq!(bits.len(), STATUS_LIST_BITS / 8);
        assert_eq!(bits[0], 0x80);
        assert_eq!(bits[1], 0x40);
        assert_eq!(bits[STATUS_LIST_BITS / 8 - 1], 0x01);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 3);
        // It grows by whole lists when the positions outrun it.
        let bigger = encoded_list(&[], STATUS_LIST_BITS + 1).unwrap();
        let gz = URL_SAFE_NO_PAD.decode(&bigger[1..]).unwrap();
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bits)
            .unwrap();
        assert_eq!(bits.len(), 2 * STATUS_LIST_BITS / 8);
    }

    #[test]
    fn a_signed_credential_verifies_with_the_published_key() {
        let key = RegionKey::from_seed([7; 32]);
        let jwt = key.sign("kid", &json!({ "iss": "x", "nbf": 0 })).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let decoding =
            jsonwebtoken::DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(key.public))
                .unwrap();
        let data = jsonwebtoken::decode::<Value>(&jwt, &decoding, &validation).unwrap();
        assert_eq!(data.header.typ.as_deref(), Some("vc+jwt"));
        assert_eq!(data.header.kid.as_deref(), Some("kid"));
        assert_eq!(data.claims["iss"], "x");
    }

    #[test]
    fn positions_are_drawn_from_lists_at_most_half_full() {
        assert_eq!(status_capacity(0), 131_072);
        assert_eq!(status_capacity(1), 131_072);
        assert_eq!(status_capacity(65_536), 131_072);
        assert_eq!(status_capacity(65_537), 262_144);
        assert_eq!(
            status_capacity(i32::MAX),
            i32::MAX,
            "saturates, never overflows"
        );
    }
}
