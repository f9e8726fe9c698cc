//! Form controls: labelled fields that show their error from the API's `details.fields`,
//! the alert above a form for everything else, the success note and the submit button.

use leptos::prelude::*;
use partnerly_domain::FieldErrors;

use crate::api::ApiFailure;

/// The failure of an action's last run, if it failed.
pub fn failure_of<I, T>(action: Action<I, Result<T, ApiFailure>>) -> Signal<Option<ApiFailure>>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .with(|value| value.as_ref().and_then(|r| r.as_ref().err().cloned()))
    })
}

/// Whether an action's last run succeeded.
pub fn succeeded<I, T>(action: Action<I, Result<T, ApiFailure>>) -> Signal<bool>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || action.value().with(|value| matches!(value, Some(Ok(_)))))
}

/// The message for one API field (`"email"`, `"current_password"`, ...).
pub fn field_error(
    failure: Signal<Option<ApiFailure>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        failure.with(|failure| {
            failure
                .as_ref()
                .and_then(|f| f.field_errors().remove(field))
        })
    })
}

/// What to say above a form: the failure's message when no field is to blame, or the
/// messages of fields this form has no input for (so that nothing is lost).
fn form_message(failure: &ApiFailure, fields: &[&str]) -> Option<String> {
    let field_errors: FieldErrors = failure.field_errors();
    if field_errors.is_empty() {
        return Some(failure.message());
    }
    let stray = field_errors
        .into_iter()
        .filter(|(field, _)| !fields.contains(&field.as_str()))
        .map(|(_, message)| message)
        .collect::<Vec<_>>();
    (!stray.is_empty()).then(|| stray.join(" "))
}

/// The error above a form (`role="alert"`), shown when the last submission failed for a
/// reason that no single field explains.
#[component]
pub fn FormAlert(
    /// The failure of the last submission, if any.
    #[prop(into)]
    failure: Signal<Option<ApiFailure>>,
    /// The API fields this form shows beside its inputs; their messages are not repeated.
    fields: &'static [&'static str],
    /// Extra content inside the alert, such as links that help (built on each failure).
    #[prop(optional)]
    children: Option<ChildrenFn>,
) -> impl IntoView {
    let message =
        Signal::derive(move || failure.with(|f| f.as_ref().and_then(|f| form_message(f, fields))));
    move || {
        message.get().map(|message| {
            view! {
                <div class="alert" role="alert">
                    <p>{message}</p>
                    {children.as_ref().map(|children| children())}
                </div>
            }
        })
    }
}

/// A success note (`role="status"`).
#[component]
pub fn FormSuccess(
    /// Whether to show it.
    #[prop(into)]
    when: Signal<bool>,
    /// The note.
    children: ChildrenFn,
) -> impl IntoView {
    move || {
        when.get().then(|| {
            view! {
                <div class="success" role="status">
                    {children()}
                </div>
            }
        })
    }
}

/// The error under a field, linked to the input by `aria-describedby`.
#[component]
fn FieldError(
    /// The input's id; the message gets `<id>-error`.
    id: &'static str,
    /// The message, if any.
    error: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=format!("{id}-error") role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// The ids that describe an input: its hint and, when present, its error.
fn described_by(
    id: &'static str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(format!("{id}-hint"));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled text input bound to a signal, with an optional hint and an error.
#[component]
pub fn TextField(
    /// The input's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The value, read and written as the person types.
    value: RwSignal<String>,
    /// The error to show beside the field.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The input type: `text`, `email`, `password`, `tel`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` token, e.g. `email` or `new-password`.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// A sentence under the label explaining the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Whether the field must be filled (announced; checked by the domain rules).
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                aria-required=required.then_some("true")
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by(id, hint.is_some(), error)
                bind:value=value
            />
            <FieldError id error />
        </div>
    }
}

/// A labelled `<select>` bound to a signal; the empty option means "not set".
#[component]
pub fn SelectField(
    /// The select's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The chosen value (`""` for none).
    value: RwSignal<String>,
    /// The choices as `(value, text)`.
    options: Vec<(&'static str, String)>,
    /// The text of the empty option.
    #[prop(default = "Not set")]
    empty_label: &'static str,
    /// The error to show beside the field.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let options = options
        .into_iter()
        .map(|(code, text)| {
            // `prop:selected` rather than the select's value: the options do not exist yet
            // when the select's own properties are first set.
            view! {
                <option value=code prop:selected=move || value.with(|v| v == code)>
                    {text}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by(id, false, error)
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                <option value="" prop:selected=move || value.with(String::is_empty)>
                    {empty_label}
                </option>
                {options}
            </select>
            <FieldError id error />
        </div>
    }
}

/// The submit button; disabled and marked busy while the request runs.
#[component]
pub fn SubmitButton(
    /// The button's text (also its accessible name).
    label: &'static str,
    /// Whether the submission is in flight.
    #[prop(into)]
    pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="button button-primary"
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")
        >
            {label}
        </button>
    }
}
