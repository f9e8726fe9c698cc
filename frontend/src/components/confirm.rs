//! A button for an action that cannot be undone (revoke a key, delete a level): the
//! first click asks, in place, and only the second one acts.

use leptos::prelude::*;

/// The button, and once clicked a question with "confirm" and "Cancel".
#[component]
pub fn ConfirmButton(
    /// The button's text: "Revoke".
    label: &'static str,
    /// The accessible name of the button when `label` alone is ambiguous in a list:
    /// "Revoke Billing".
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// What is about to happen, as a question.
    #[prop(into)]
    question: String,
    /// The text of the button that acts: "Revoke key".
    confirm_label: &'static str,
    /// Whether the action is in flight.
    #[prop(into)]
    pending: Signal<bool>,
    /// Runs the action.
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let question = StoredValue::new(question);
    move || {
        if asking.get() {
            view! {
                <div class="confirm" role="group" aria-label="Confirm">
                    <p>{question.get_value()}</p>
                    <div class="confirm-actions">
                        <button
                            type="button"
                            class="button button-danger"
                            disabled=move || pending.get()
                            aria-busy=move || pending.get().then_some("true")
                            on:click=move |_| {
                                asking.set(false);
                                on_confirm.run(());
                            }
                        >
                            {confirm_label}
                        </button>
                        <button
                            type="button"
                            class="button button-quiet"
                            on:click=move |_| asking.set(false)
                        >
                            "Cancel"
                        </button>
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! {
                <button
                    type="button"
                    class="button button-quiet button-small"
                    aria-label=aria_label.clone()
                    disabled=move || pending.get()
                    on:click=move |_| asking.set(true)
                >
                    {label}
                </button>
            }
            .into_any()
        }
    }
}
