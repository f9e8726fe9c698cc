//! The served OpenAPI document is the committed one, and the docs page works offline.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn the_served_openapi_document_equals_the_committed_file() {
    let app = TestApp::spawn().await;
    let served = app.get("/api/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../openapi/openapi.json"
        ))
        .expect("openapi/openapi.json exists"),
    )
    .unwrap();
    assert!(
        served.body == committed,
        "openapi/openapi.json is stale: run `just openapi` and commit it"
    );
}

#[actix_web::test]
async fn every_route_documents_its_error_responses_with_the_error_body() {
    let doc = partnerly_api::openapi::document();
    let json = serde_json::to_value(&doc).unwrap();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status} lacks the ErrorBody schema"
                    );
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_docs_page_is_served_without_the_internet() {
    let app = TestApp::spawn().await;
    let redirect = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert!(redirect.status().is_redirection());
    let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("cdn."),
        "the page must not load scripts from a CDN"
    );
    let init = app
        .client
        .get(app.url("/api/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), StatusCode::OK);
    assert!(init.text().await.unwrap().contains("/api/openapi.json"));
}

#[actix_web::test]
async fn every_operation_has_its_own_operation_id() {
    let json = serde_json::to_value(partnerly_api::openapi::document()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .expect("an operationId")
                .to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("{id} names both {other} and {method} {path}");
            }
        }
    }
}
