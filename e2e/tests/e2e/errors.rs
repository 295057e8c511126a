use e2e::{TestApp, problem};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(p.code, "malformed_json");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_problem() {
    let app = TestApp::spawn().await;
    for body in [
        serde_json::json!({ "email": 5, "password": "x" }),
        serde_json::json!({ "email": "teacher@iom.test" }),
        serde_json::json!([1, 2, 3]),
    ] {
        let res = app
            .post("/api/v1/auth/login")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.code, "invalid_body", "{body}");
    }
}

#[tokio::test]
async fn validation_failures_are_a_422_with_russian_messages_per_field() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/login")
        .json(&serde_json::json!({ "email": "", "password": "" }))
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.code, "validation_failed");
    assert_eq!(p.errors["email"], ["Укажите адрес электронной почты"]);
    assert_eq!(p.errors["password"], ["Укажите пароль"]);
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem() {
    let app = TestApp::spawn().await;
    let huge = format!(
        "{{\"email\":\"a@b.c\",\"password\":\"{}\"}}",
        "x".repeat(app.settings.max_body_bytes + 1)
    );
    let res = app
        .post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(p.code, "payload_too_large");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/login")
        .header("content-type", "text/plain")
        .body("email=a&password=b")
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(p.code, "unsupported_media_type");
}

#[tokio::test]
async fn a_known_path_with_another_method_is_a_405_with_allow() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::DELETE, "/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    let p = problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(p.code, "method_not_allowed");
}

#[tokio::test]
async fn a_page_outside_the_documented_bounds_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let user = app.as_user("manager@iom.test").await;
    for list in [
        "/api/v1/routes",
        "/api/v1/people",
        "/api/v1/catalogue/events",
        "/api/v1/me/notifications",
    ] {
        for query in [
            "offset=1000001",
            "offset=9223372036854775808",
            "offset=18446744073709551615",
            "limit=0",
            "limit=100000",
        ] {
            let res = user.get(&format!("{list}?{query}")).send().await.unwrap();
            let p = problem(res, StatusCode::BAD_REQUEST).await;
            assert_eq!(p.code, "invalid_query", "{list}?{query}");
        }
        // The documented bounds themselves are served.
        let page: serde_json::Value = user
            .get_json(&format!("{list}?offset=1000000&limit=1"))
            .await;
        assert_eq!(page["offset"], 1_000_000, "{list}");
        assert_eq!(page["items"], serde_json::json!([]), "{list}");
    }
}

#[tokio::test]
async fn a_literal_path_is_not_taken_for_an_id_of_another_template() {
    let app = TestApp::spawn().await;
    let user = app.as_user("manager@iom.test").await;
    // `/people/imports` is its own path (POST), not `/people/{id}` with the id "imports".
    let res = user
        .request(Method::PUT, "/api/v1/people/imports")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    let p = problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(p.code, "method_not_allowed");
}

#[tokio::test]
async fn a_number_without_a_fraction_is_an_integer_as_the_schema_says() {
    let app = TestApp::spawn().await;
    let user = app.as_user("manager@iom.test").await;
    let units: Vec<serde_json::Value> = user.get_json("/api/v1/units").await;
    let region = units
        .iter()
        .find(|u| u["kind"] == "region")
        .expect("the manager's region")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/units/{region}/policy");
    let mut policy: serde_json::Value = user.get_json(&path).await;
    policy["max_route_months"] = serde_json::json!(18.0);
    let res = user
        .request(Method::PUT, &path)
        .json(&policy)
        .send()
        .await
        .unwrap();
    let saved: serde_json::Value = e2e::ok_json(res).await;
    assert_eq!(saved["max_route_months"], 18);
    // A real fraction is still not an integer.
    policy["max_route_months"] = serde_json::json!(18.5);
    let res = user
        .request(Method::PUT, &path)
        .json(&policy)
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.code, "invalid_body");
}

#[tokio::test]
async fn unknown_api_paths_and_malformed_ids_are_404_problems() {
    let app = TestApp::spawn().await;
    let user = app.as_user("manager@iom.test").await;
    problem(
        user.get("/api/v1/no-such-thing").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        user.get("/api/v1/people/not-a-uuid").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let random = uuid::Uuid::new_v4();
    let p = problem(
        user.get(&format!("/api/v1/people/{random}"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(p.code, "not_found");
}

/// Nothing a client sends may make the server answer 500: every documented operation gets odd
/// ids and odd bodies, signed in and not.
#[tokio::test]
async fn no_odd_request_to_any_endpoint_gets_a_server_error() {
    let app = TestApp::spawn().await;
    let token = app.token("manager@iom.test").await;
    let spec = api::openapi::spec();
    let ids = [
        "00000000-0000-0000-0000-000000000000",
        "x",
        "%00",
        "1e9999",
        "..%2F..%2Fetc",
    ];
    let bodies: [&[u8]; 8] = [
        b"",
        b"{",
        b"null",
        b"[]",
        b"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        b"{\"email\":\"\\u0000\",\"password\":\"\\ud800\"}",
        b"\xff\xfe\x00",
        b"{\"id\":\"00000000-0000-0000-0000-000000000000\",\"status\":\"nonsense\",\"kind\":\"\"}",
    ];
    let mut tried = 0;
    for (path, item) in &spec.paths.paths {
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for (method, present) in methods {
            if !present {
                continue;
            }
            for id in ids {
                let concrete = fill_path(path, id);
                for body in bodies {
                    for auth in [true, false] {
                        let mut req = app
                            .request(method.clone(), &concrete)
                            .header("content-type", "application/json")
                            .body(body.to_vec());
                        if auth {
                            req = req.bearer_auth(&token);
                        }
                        let res = req.send().await.unwrap();
                        tried += 1;
                        assert!(
                            !res.status().is_server_error(),
                            "{method} {concrete} with {:?} answered {}",
                            String::from_utf8_lossy(body),
                            res.status()
                        );
                    }
                }
            }
        }
    }
    assert!(tried > 100);
}

fn fill_path(template: &str, value: &str) -> String {
    template
        .split('/')
        .map(|seg| if seg.starts_with('{') { value } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}
