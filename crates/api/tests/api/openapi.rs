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

/// Every string a client can send has a length bound (or is one of an enum), every
/// list a size bound, and every body operation documents 400, 413 and 415: what the
/// contract test (`scripts/contract.sh`) holds the server to, checked here without it.
#[actix_web::test]
async fn every_request_string_and_list_is_bounded() {
    let doc = serde_json::to_value(partnerly_api::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let mut unbounded = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    fn walk(
        schema: &serde_json::Value,
        at: String,
        schemas: &serde_json::Value,
        seen: &mut std::collections::BTreeSet<String>,
        unbounded: &mut Vec<String>,
    ) {
        if let Some(name) = schema["$ref"].as_str() {
            let name = name.trim_start_matches("#/components/schemas/");
            if seen.insert(name.to_owned()) {
                walk(&schemas[name], name.to_owned(), schemas, seen, unbounded);
            }
            return;
        }
        let types: Vec<&str> = match &schema["type"] {
            serde_json::Value::String(t) => vec![t.as_str()],
            serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
            _ => vec![],
        };
        let bounded = |key: &str| schema.get(key).is_some() || schema.get("enum").is_some();
        if types.contains(&"string") && !bounded("maxLength") {
            unbounded.push(format!("{at}: a string without maxLength"));
        }
        if types.contains(&"array") && !bounded("maxItems") {
            unbounded.push(format!("{at}: a list without maxItems"));
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, item) in schema[key].as_array().into_iter().flatten().enumerate() {
                walk(item, format!("{at}/{key}[{i}]"), schemas, seen, unbounded);
            }
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            walk(property, format!("{at}.{name}"), schemas, seen, unbounded);
        }
        if schema["items"].is_object() {
            walk(
                &schema["items"],
                format!("{at}[]"),
                schemas,
                seen,
                unbounded,
            );
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(body) =
                op["requestBody"]["content"]["application/json"]["schema"].as_object()
            {
                let body = serde_json::Value::Object(body.clone());
                walk(
                    &body,
                    format!("{method} {path}"),
                    schemas,
                    &mut seen,
                    &mut unbounded,
                );
                for status in ["400", "413", "415"] {
                    assert!(
                        op["responses"].get(status).is_some(),
                        "{method} {path} does not document {status}"
                    );
                }
            }
        }
    }
    assert!(unbounded.is_empty(), "{unbounded:#?}");
}
