//! A value to copy: a read-only, selectable text box with a Copy button and a note that
//! says whether it worked (the referral link, a new API key's or webhook's secret).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long "Copied" stays beside the Copy button.
const COPIED_FOR: Duration = Duration::from_secs(4);

/// Writes `text` to the clipboard; `false` when the browser refuses (no permission, an
/// insecure context).
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    // `navigator.clipboard` only exists in secure contexts (https, localhost); calling it
    // elsewhere would throw.
    if !window.is_secure_context() {
        return false;
    }
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// The value in a read-only box, a Copy button, and "Copied" (or how to copy by hand)
/// for a few seconds after a click.
#[component]
pub fn CopyField(
    /// The box's accessible name: "Your referral link", "Secret".
    label: &'static str,
    /// What to copy.
    value: String,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    // `Some(true)` copied, `Some(false)` the browser refused; `None` nothing to say.
    let copied = RwSignal::new(None::<bool>);
    // Each click's own number, so an older click's timer does not hide a newer note.
    let clicks = StoredValue::new(0_u32);
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        clicks.update_value(|n| *n += 1);
        let click = clicks.get_value();
        spawn_local(async move {
            let ok = copy_to_clipboard(&text.get_value()).await;
            if !ok && let Some(input) = input.get_untracked() {
                // Selected, so Ctrl+C / ⌘C copies it.
                input.select();
            }
            copied.try_set(Some(ok));
            set_timeout(
                move || {
                    if clicks.try_get_value() == Some(click) {
                        copied.try_set(None);
                    }
                },
                COPIED_FOR,
            );
        });
    };
    view! {
        <div class="copy-row">
            <input
                node_ref=input
                class="link-input"
                type="text"
                readonly
                aria-label=label
                prop:value=value
                on:focus=move |_| {
                    if let Some(input) = input.get_untracked() {
                        input.select();
                    }
                }
            />
            <button type="button" class="button button-primary" on:click=copy>
                "Copy"
            </button>
        </div>
        <p class="copy-status" role="status">
            {move || match copied.get() {
                Some(true) => "Copied",
                Some(false) => "Press Ctrl+C (⌘C on a Mac) to copy the selected text.",
                None => "",
            }}
        </p>
    }
}

/// A secret the server shows only once (a new API key, a webhook signing secret): the
/// value with Copy, a warning that it cannot be shown again, and a button to close it.
#[component]
pub fn SecretOnce(
    /// The panel's heading: "Your new API key".
    title: &'static str,
    /// The secret.
    secret: String,
    /// What the secret is for, after the warning.
    #[prop(optional)]
    note: Option<&'static str>,
    /// Closes the panel.
    on_done: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="panel secret-panel" aria-label=title>
            <h2>{title}</h2>
            <p class="secret-warning" role="alert">
                <strong>"Copy it now: it is shown only once."</strong>
                " Partnerly keeps only a fingerprint of it, so nobody can show it to you again."
            </p>
            {note.map(|note| view! { <p class="muted">{note}</p> })}
            <CopyField label="Secret" value=secret />
            <div class="form-actions">
                <button type="button" class="button button-quiet" on:click=move |_| on_done.run(())>
                    "I have copied it"
                </button>
            </div>
        </section>
    }
}
