//! The public verification page a certificate's QR code opens: `/verify/{code}`. No sign-in;
//! shows only whether the certificate is valid and the minimum to match it with the paper.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::dto::documents::CertificateVerification;

use crate::api::{ApiError, decode};
use crate::components::{Alert, AlertKind, DetailRow, Details, Loading, PublicShell, set_title};
use crate::format;
use crate::routes;

async fn fetch(code: String) -> Result<CertificateVerification, ApiError> {
    let response = gloo_net::http::Request::get(&super::paths::verify(&code))
        .header("Accept", "application/json, application/problem+json")
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(response).await
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    set_title("Проверка свидетельства");
    let params = use_params_map();
    let code =
        Memo::new(move |_| params.with(|p| p.get(routes::VERIFY_CODE_PARAM).unwrap_or_default()));
    let result = LocalResource::new(move || fetch(code.get()));
    view! {
        <PublicShell>
            <div class="page-header">
                <h1>"Проверка свидетельства"</h1>
                <p class="lead">"О прохождении индивидуального образовательного маршрута"</p>
            </div>
            <section class="card verify-card" aria-live="polite" data-testid="verification">
                {move || match result.get() {
                    None => view! { <Loading label="Проверяем…" /> }.into_any(),
                    Some(Ok(v)) => view! { <Verified v=v /> }.into_any(),
                    Some(Err(e)) if e.status() == Some(404) => view! {
                        <Alert kind=AlertKind::Error>
                            "Свидетельство с таким кодом не найдено. Проверьте адрес: он должен совпадать с напечатанным под QR-кодом."
                        </Alert>
                    }
                    .into_any(),
                    Some(Err(e)) if e.status() == Some(429) => view! {
                        <Alert kind=AlertKind::Warning>
                            "Слишком много проверок с вашего адреса. Повторите через минуту."
                        </Alert>
                    }
                    .into_any(),
                    Some(Err(e)) => view! { <Alert kind=AlertKind::Error>{e.message()}</Alert> }.into_any(),
                }}
            </section>
        </PublicShell>
    }
}

#[component]
fn Verified(v: CertificateVerification) -> impl IntoView {
    let status = if v.valid {
        view! {
            <Alert kind=AlertKind::Success>
                <strong data-testid="verification-status">"Свидетельство действительно"</strong>
            </Alert>
        }
        .into_any()
    } else {
        let when = v
            .revoked_on
            .map(|d| format!(" {}", format::date(d)))
            .unwrap_or_default();
        view! {
            <Alert kind=AlertKind::Error>
                <strong data-testid="verification-status">{format!("Свидетельство аннулировано{when}")}</strong>
            </Alert>
        }
        .into_any()
    };
    view! {
        {status}
        <Details>
            <DetailRow label="Номер" value=Some(v.number) />
            <DetailRow label="Кому выдано" value=Some(v.person_name) />
            <DetailRow label="Маршрут" value=Some(format!("«{}»", v.route_title)) />
            <DetailRow label="Дата выдачи" value=Some(format::date(v.issued_on)) />
            <DetailRow label="Кем выдано" value=Some(v.issuer) />
        </Details>
    }
}
