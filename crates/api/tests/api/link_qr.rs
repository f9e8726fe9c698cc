//! QR codes of a partner's links (T2): SVG, PNG and JPEG that read back as the link's
//! URL, at the size asked for; sizes out of range refused; another partner's link out of
//! reach; answers cached with an ETag.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::Value;

use crate::helpers::{Session, TestApp};

/// The partner's default link: id, code and full URL.
async fn default_link(app: &TestApp, partner: &Session) -> (i64, String, String) {
    let links = app.get_as(&partner.access_token, "/api/v1/links").await;
    assert_eq!(links.status, StatusCode::OK, "{:?}", links.body);
    let link = links.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|l| l["is_default"] == true))
        .expect("a default link");
    (
        link["id"].as_i64().expect("an id"),
        link["code"].as_str().expect("a code").to_owned(),
        link["url"].as_str().expect("a url").to_owned(),
    )
}

/// A raw answer: status, headers and the body's bytes.
struct Raw {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Raw {
    fn header(&self, name: reqwest::header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).expect("a JSON body")
    }
}

async fn fetch(app: &TestApp, token: &str, path: &str, if_none_match: Option<&str>) -> Raw {
    let mut request = app.client.get(app.url(path)).bearer_auth(token);
    if let Some(tag) = if_none_match {
        request = request.header(IF_NONE_MATCH, tag);
    }
    let response = request.send().await.expect("request sent");
    Raw {
        status: response.status(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

/// What a camera would read from `width` × `height` grey pixels.
fn read(width: usize, height: usize, pixel: impl FnMut(usize, usize) -> u8) -> String {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, pixel);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("a readable code").1
}

/// A PNG or JPEG: its side and the text its QR code reads as.
fn read_image(bytes: &[u8], format: image::ImageFormat) -> (u32, String) {
    let image = image::load_from_memory_with_format(bytes, format)
        .expect("an image of the format")
        .to_luma8();
    assert_eq!(image.width(), image.height(), "a square");
    let text = read(image.width() as usize, image.height() as usize, |x, y| {
        image.get_pixel(x as u32, y as u32).0[0]
    });
    (image.width(), text)
}

/// An SVG: its viewBox side and the text its QR code reads as, its path's modules drawn
/// 8 px each (the path is in module units, scaled to the viewBox by its transform).
fn read_svg(bytes: &[u8]) -> (u32, String) {
    let svg = std::str::from_utf8(bytes).expect("UTF-8");
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let view_box: Vec<u32> = root
        .attribute("viewBox")
        .expect("a viewBox")
        .split(' ')
        .map(|n| n.parse().expect("a whole number"))
        .collect();
    let [0, 0, side, height] = view_box[..] else {
        panic!("viewBox {view_box:?}");
    };
    assert_eq!(side, height, "a square");
    assert_eq!(root.attribute("width"), Some(side.to_string().as_str()));
    let path = doc
        .descendants()
        .find(|n| n.has_tag_name("path"))
        .expect("a path of modules");
    assert_eq!(path.attribute("fill"), Some("#000"));
    let scale: f64 = path
        .attribute("transform")
        .and_then(|t| t.strip_prefix("scale(")?.strip_suffix(')'))
        .expect("scale(...)")
        .parse()
        .expect("a number");
    let modules = (f64::from(side) / scale).round() as usize;
    let mut dark = vec![false; modules * modules];
    for run in path.attribute("d").expect("d").split_terminator('z') {
        // `M{x} {y}h{n}v1h-{n}`: n dark modules from (x, y).
        let (start, rest) = run
            .strip_prefix('M')
            .and_then(|r| r.split_once('h'))
            .expect("M x y h n");
        let (x, y) = start.split_once(' ').expect("x y");
        let (x, y): (usize, usize) = (x.parse().expect("x"), y.parse().expect("y"));
        let (n, back) = rest.split_once("v1h-").expect("v1h-n");
        assert_eq!(n, back, "a closed rectangle");
        for i in 0..n.parse::<usize>().expect("n") {
            dark[y * modules + x + i] = true;
        }
    }
    for i in 0..modules {
        for edge in [0, 3, modules - 4, modules - 1] {
            assert!(
                !dark[edge * modules + i] && !dark[i * modules + edge],
                "a quiet zone of 4 modules"
            );
        }
    }
    let text = read(modules * 8, modules * 8, |x, y| {
        if dark[(y / 8) * modules + x / 8] {
            0
        } else {
            255
        }
    });
    (side, text)
}

#[actix_web::test]
async fn each_format_reads_back_as_the_links_url_at_the_size_asked_for() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let (id, code, url) = default_link(&app, &ada).await;
    assert!(url.ends_with(&format!("/r/{code}")), "{url}");

    for (ext, content_type, size) in [
        ("svg", "image/svg+xml", 300),
        ("png", "image/png", 333),
        ("jpg", "image/jpeg", 256),
    ] {
        let path = format!("/api/v1/links/{id}/qr.{ext}?size={size}");
        let answer = fetch(&app, &ada.access_token, &path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{ext}: {:?}", answer.json());
        assert_eq!(answer.header(CONTENT_TYPE), content_type);
        assert_eq!(answer.header(CACHE_CONTROL), "private, max-age=86400");
        assert_eq!(
            answer.header(CONTENT_DISPOSITION),
            format!("inline; filename=\"partnerly-{code}.{ext}\"")
        );
        assert!(!answer.header(ETAG).is_empty(), "{ext} has an ETag");
        let read = match ext {
            "svg" => read_svg(&answer.bytes),
            "png" => read_image(&answer.bytes, image::ImageFormat::Png),
            _ => read_image(&answer.bytes, image::ImageFormat::Jpeg),
        };
        assert_eq!(read, (size, url.clone()), "{ext}");
    }
}

#[actix_web::test]
async fn the_size_is_512_by_default_and_128_to_2048() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let (id, _, url) = default_link(&app, &ada).await;

    let default = fetch(
        &app,
        &ada.access_token,
        &format!("/api/v1/links/{id}/qr.png"),
        None,
    )
    .await;
    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(
        read_image(&default.bytes, image::ImageFormat::Png),
        (512, url.clone())
    );
    for (ext, format) in [
        ("png", image::ImageFormat::Png),
        ("jpg", image::ImageFormat::Jpeg),
    ] {
        for size in [128, 2048] {
            let path = format!("/api/v1/links/{id}/qr.{ext}?size={size}");
            let answer = fetch(&app, &ada.access_token, &path, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
            assert_eq!(
                read_image(&answer.bytes, format),
                (size, url.clone()),
                "{path}"
            );
        }
    }
    let svg = fetch(
        &app,
        &ada.access_token,
        &format!("/api/v1/links/{id}/qr.svg"),
        None,
    )
    .await;
    assert_eq!(read_svg(&svg.bytes), (512, url));

    for ext in ["svg", "png", "jpg"] {
        for size in ["0", "127", "2049", "100000"] {
            let path = format!("/api/v1/links/{id}/qr.{ext}?size={size}");
            let answer = fetch(&app, &ada.access_token, &path, None).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            let body = answer.json();
            assert_eq!(body["error"], "validation_failed", "{path}: {body}");
            assert!(
                body["details"]["fields"]["size"].is_string(),
                "{path}: {body}"
            );
        }
        for query in ["size=big", "size=-5", "size=12.5", "colour=red"] {
            let path = format!("/api/v1/links/{id}/qr.{ext}?{query}");
            let answer = fetch(&app, &ada.access_token, &path, None).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(answer.json()["error"], "invalid_query", "{path}");
        }
    }
}

#[actix_web::test]
async fn another_partners_link_or_no_link_is_404_and_no_session_401() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let (ada_link, _, _) = default_link(&app, &ada).await;
    let as_link = app
        .get_as(&grace.access_token, &format!("/api/v1/links/{ada_link}"))
        .await;
    assert_eq!(as_link.status, StatusCode::NOT_FOUND);

    for ext in ["svg", "png", "jpg"] {
        for id in [ada_link.to_string(), "999999".to_owned(), "x".to_owned()] {
            let path = format!("/api/v1/links/{id}/qr.{ext}");
            let answer = fetch(&app, &grace.access_token, &path, None).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(answer.json(), as_link.body, "{path} looks like no link");
        }
        let path = format!("/api/v1/links/{ada_link}/qr.{ext}");
        let anonymous = app.get(&path).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        // Credentials are checked before the query string.
        let anonymous = app.get(&format!("{path}?size=nope")).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[actix_web::test]
async fn a_matching_if_none_match_is_304() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let (id, _, _) = default_link(&app, &ada).await;

    let mut tags = std::collections::BTreeSet::new();
    for ext in ["svg", "png", "jpg"] {
        let path = format!("/api/v1/links/{id}/qr.{ext}?size=256");
        let first = fetch(&app, &ada.access_token, &path, None).await;
        assert_eq!(first.status, StatusCode::OK);
        let tag = first.header(ETAG).to_owned();
        assert!(tags.insert(tag.clone()), "each format its own ETag");

        let again = fetch(&app, &ada.access_token, &path, None).await;
        assert_eq!(again.header(ETAG), tag, "the same answer, the same ETag");
        assert_eq!(again.bytes, first.bytes);

        for asked in [tag.clone(), format!("\"other\", {tag}"), "*".to_owned()] {
            let cached = fetch(&app, &ada.access_token, &path, Some(&asked)).await;
            assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{path} {asked}");
            assert!(cached.bytes.is_empty());
            assert_eq!(cached.header(ETAG), tag);
            assert_eq!(cached.header(CACHE_CONTROL), "private, max-age=86400");
        }

        let other_size = format!("/api/v1/links/{id}/qr.{ext}?size=300");
        let fresh = fetch(&app, &ada.access_token, &other_size, Some(&tag)).await;
        assert_eq!(fresh.status, StatusCode::OK, "another size, another ETag");
        assert_ne!(fresh.header(ETAG), tag);
        let stale = fetch(&app, &ada.access_token, &path, Some("\"stale\"")).await;
        assert_eq!(stale.status, StatusCode::OK);
        assert_eq!(stale.bytes, first.bytes);
    }
}
