//! A link's QR code (T2): a preview, and PNG, JPG and SVG files to download. The API
//! answers them only with the bearer token, so they are fetched here and shown through
//! object URLs, which are revoked when the panel closes.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure, QrFormat};
use crate::components::layout::Loading;
use crate::session::use_session;

/// The side of the PNG and JPG files, in pixels: sharp in print at a few centimetres.
const IMAGE_SIZE: u32 = 1024;
/// The side of the SVG's viewBox (it scales without loss).
const SVG_SIZE: u32 = 512;

/// A `blob:` URL of a fetched file, revoked when dropped (with the signal that holds it,
/// when the panel closes).
#[derive(Debug)]
struct ObjectUrl(String);

impl ObjectUrl {
    fn of(blob: &web_sys::Blob) -> Result<Self, ApiFailure> {
        web_sys::Url::create_object_url_with_blob(blob)
            .map(Self)
            .map_err(|_| ApiFailure::Network("the QR code could not be shown".to_owned()))
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.0);
    }
}

/// Each format's file, in [`QrFormat::ALL`]'s order.
type Files = Vec<(QrFormat, ObjectUrl)>;

/// The file name of a format, as the API names it: `partnerly-{code}.png`.
pub(crate) fn file_name(code: &str, format: QrFormat) -> String {
    format!("partnerly-{code}.{}", format.extension())
}

/// The preview and the download links. (A task and a signal rather than a resource:
/// the files belong to this panel alone, and are revoked with its signal.)
#[component]
pub(super) fn QrCodes(
    /// The link's id.
    id: i64,
    /// The link's code, for the file names.
    code: String,
    /// The link's address, for the preview's text.
    url: String,
) -> impl IntoView {
    let session = use_session();
    // `None` while loading.
    let files = RwSignal::new(None::<Result<Files, ApiFailure>>);
    let load = move || {
        spawn_local(async move {
            let mut fetched = Files::new();
            let mut result = Ok(());
            for format in QrFormat::ALL {
                let size = match format {
                    QrFormat::Svg => SVG_SIZE,
                    QrFormat::Png | QrFormat::Jpeg => IMAGE_SIZE,
                };
                result = match api::link_qr(session, id, format, size).await {
                    Ok(blob) => ObjectUrl::of(&blob).map(|url| fetched.push((format, url))),
                    Err(failure) => Err(failure),
                };
                if result.is_err() {
                    break;
                }
            }
            // Dropped, and so revoked, at once if the panel closed meanwhile.
            files.try_set(Some(result.map(|()| fetched)));
        });
    };
    load();
    let code = StoredValue::new(code);
    let url = StoredValue::new(url);
    move || {
        files.with(|loaded| match loaded {
            None => view! { <Loading /> }.into_any(),
            Some(Err(failure)) => view! {
                <div class="alert" role="alert">
                    <p>{format!("We could not load the QR code. {}", failure.message())}</p>
                    <button type="button" class="button button-quiet" on:click=move |_| {
                            files.set(None);
                            load();
                        }>
                        "Try again"
                    </button>
                </div>
            }
            .into_any(),
            Some(Ok(list)) => {
                let href = |wanted| {
                    list.iter()
                        .find(|(format, _)| *format == wanted)
                        .map(|(_, url)| url.0.clone())
                };
                let downloads = QrFormat::ALL
                    .into_iter()
                    .map(|format| {
                        view! {
                            <a
                                class="button button-quiet button-small"
                                href=href(format)
                                download=code.with_value(|code| file_name(code, format))
                            >
                                {format!("Download {}", format.name())}
                            </a>
                        }
                    })
                    .collect_view();
                view! {
                    <img
                        class="qr-preview"
                        src=href(QrFormat::Svg)
                        alt=url.with_value(|url| format!("QR code of {url}"))
                        width="160"
                        height="160"
                    />
                    <div class="action-row">{downloads}</div>
                }
                .into_any()
            }
        })
    }
}
