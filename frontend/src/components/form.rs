//! Form controls: labelled fields that show their error from the API's `details.fields`,
//! the alert above a form for everything else, the success note, the submit button and
//! the two together at the foot of a form.

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

/// Whether the API's error key `key` belongs to the form field `field`: the field itself,
/// or one item of a list field (`allowed_domains.1` belongs to `allowed_domains`).
fn belongs_to(key: &str, field: &str) -> bool {
    key == field
        || key.strip_prefix(field).is_some_and(|rest| {
            rest.strip_prefix('.')
                .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The messages of `errors` that belong to `field`, joined; `None` when there are none.
fn messages_for(errors: &FieldErrors, field: &str) -> Option<String> {
    let messages = errors
        .iter()
        .filter(|(key, _)| belongs_to(key, field))
        .map(|(_, message)| message.as_str())
        .collect::<Vec<_>>();
    (!messages.is_empty()).then(|| messages.join(" "))
}

/// The message for one API field (`"email"`, `"current_password"`, ...), including the
/// messages about its items when it is a list (`allowed_domains.0`).
pub fn field_error(
    failure: Signal<Option<ApiFailure>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        failure.with(|failure| {
            failure
                .as_ref()
                .and_then(|f| messages_for(&f.field_errors(), field))
        })
    })
}

/// The messages for any of several API fields shown beside one input (a threshold's
/// `threshold.count` or `threshold.amount`).
pub fn fields_error(
    failure: Signal<Option<ApiFailure>>,
    fields: &'static [&'static str],
) -> Signal<Option<String>> {
    Signal::derive(move || {
        failure.with(|failure| {
            let errors = failure.as_ref()?.field_errors();
            let messages = fields
                .iter()
                .filter_map(|field| messages_for(&errors, field))
                .collect::<Vec<_>>();
            (!messages.is_empty()).then(|| messages.join(" "))
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
        .filter(|(key, _)| !fields.iter().any(|field| belongs_to(key, field)))
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
    /// The keyboard phones show: `numeric`, `decimal`.
    #[prop(optional)]
    inputmode: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            <input
                id=id
                name=id
                type=input_type
                inputmode=inputmode
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
    /// Whether a choice must be made: no empty option then.
    #[prop(optional)]
    required: bool,
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
                {(!required)
                    .then(|| {
                        view! {
                            <option value="" prop:selected=move || value.with(String::is_empty)>
                                {empty_label}
                            </option>
                        }
                    })}
                {options}
            </select>
            <FieldError id error />
        </div>
    }
}

/// A labelled multi-line text input bound to a signal.
#[component]
pub fn TextAreaField(
    /// The textarea's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The value, read and written as the person types.
    value: RwSignal<String>,
    /// The error to show beside the field.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// A sentence under the label explaining the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Visible lines.
    #[prop(default = 4)]
    rows: u32,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            <textarea
                id=id
                name=id
                rows=rows
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by(id, hint.is_some(), error)
                bind:value=value
            ></textarea>
            <FieldError id error />
        </div>
    }
}

/// A checkbox with its label beside it, bound to a signal.
#[component]
pub fn CheckboxField(
    /// The checkbox's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// Whether it is ticked.
    checked: RwSignal<bool>,
    /// A sentence under the label explaining the field.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field field-check">
            <input
                id=id
                name=id
                type="checkbox"
                aria-describedby=hint.map(|_| format!("{id}-hint"))
                bind:checked=checked
            />
            <div>
                <label for=id>{label}</label>
                {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            </div>
        </div>
    }
}

/// A group of checkboxes choosing several values (scopes, event types); `values` holds
/// the ticked ones.
#[component]
pub fn CheckboxGroup(
    /// The id of the group; each box gets `<id>-<n>`.
    id: &'static str,
    /// The group's legend.
    legend: &'static str,
    /// The choices as `(value, text)`.
    options: Vec<(String, String)>,
    /// The ticked values.
    values: RwSignal<Vec<String>>,
    /// The error to show beside the group.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(n, (value, text))| {
            let box_id = format!("{id}-{n}");
            let ticked = {
                let value = value.clone();
                move || values.with(|v| v.contains(&value))
            };
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                values.update(|v| {
                    v.retain(|x| *x != value);
                    if on {
                        v.push(value.clone());
                    }
                });
            };
            view! {
                <div class="check">
                    <input
                        id=box_id.clone()
                        type="checkbox"
                        prop:checked=ticked
                        on:change=toggle
                    />
                    <label for=box_id>{text}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="field field-group"
            class:field-invalid=move || error.with(Option::is_some)
            aria-describedby=move || error.with(Option::is_some).then(|| format!("{id}-error"))
        >
            <legend>{legend}</legend>
            <div class="checks">{boxes}</div>
            <FieldError id error />
        </fieldset>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(fields: &[(&str, &str)]) -> ApiFailure {
        ApiFailure::from_fields(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn list_item_errors_belong_to_their_list_field() {
        assert!(belongs_to("allowed_domains", "allowed_domains"));
        assert!(belongs_to("allowed_domains.1", "allowed_domains"));
        assert!(!belongs_to("allowed_domains.x", "allowed_domains"));
        assert!(!belongs_to("duration.months", "duration"));
        assert!(!belongs_to("allowed", "allowed_domains"));
    }

    #[test]
    fn the_form_alert_repeats_only_errors_no_field_shows() {
        let f = failure(&[("allowed_domains.0", "Bad host."), ("owner", "Too long.")]);
        assert_eq!(
            form_message(&f, &["allowed_domains"]),
            Some("Too long.".to_owned())
        );
        assert_eq!(form_message(&f, &["allowed_domains", "owner"]), None);
        let errors = f.field_errors();
        assert_eq!(
            messages_for(&errors, "allowed_domains"),
            Some("Bad host.".to_owned())
        );
    }
}

/// The foot of a form: the submit button and, once the form went through, a short note.
#[component]
pub fn SubmitActions(
    /// The button's text (also its accessible name).
    label: &'static str,
    /// Whether the submission is in flight.
    #[prop(into)]
    pending: Signal<bool>,
    /// Whether to show the note.
    #[prop(into)]
    done: Signal<bool>,
    /// The note.
    #[prop(default = "Saved")]
    note: &'static str,
) -> impl IntoView {
    view! {
        <div class="form-actions">
            <SubmitButton label pending />
            <FormSuccess when=done>
                <p>{note}</p>
            </FormSuccess>
        </div>
    }
}
