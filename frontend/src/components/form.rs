//! Form controls: labelled fields that show their error from the API's `details.fields`,
//! the alert above a form for everything else, the success note, the submit button and
//! the two together at the foot of a form.

use std::borrow::Cow;

use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::deal::DealStatus;
use partnerly_domain::iso::CURRENCIES;
use partnerly_domain::level::{DurationKind, ThresholdKind, Track};
use partnerly_domain::level_settings::BonusTrigger;
use partnerly_domain::program::PayoutSchedule;
use partnerly_domain::tracking::AttributionModel;

use crate::api::ApiFailure;

/// What a field reads and writes: a signal of its own (`RwSignal<String>`), or one field
/// of a form whose inputs are one struct in one signal (`field!(form.name)`).
pub struct Bound<T: Send + Sync + 'static> {
    read: Signal<T>,
    write: SignalSetter<T>,
}

impl<T: Send + Sync + 'static> Clone for Bound<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Bound<T> {}

impl<T: Send + Sync + 'static> From<RwSignal<T>> for Bound<T> {
    fn from(signal: RwSignal<T>) -> Self {
        Self {
            read: signal.into(),
            write: signal.into(),
        }
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Bound<T> {
    /// One field of the struct in `form`, reached by `get` and `set`: what [`field!`]
    /// writes. Memoised, so that typing in one field does not redraw the others. (Plain
    /// functions rather than closures: one copy of this code per form and type of field,
    /// not one per field.)
    pub fn field<F: Send + Sync + 'static>(
        form: RwSignal<F>,
        get: fn(&F) -> &T,
        set: fn(&mut F) -> &mut T,
    ) -> Self {
        Self {
            read: Memo::new(move |_| form.with(|f| get(f).clone())).into(),
            write: SignalSetter::map(move |value| form.update(|f| *set(f) = value)),
        }
    }
}

impl Bound<String> {
    /// The code of a [`Choice`] in the struct in `form`, for a [`SelectField`]: `get`
    /// gives the chosen value's code, `set` stores the value of a code. What [`choice!`]
    /// writes.
    pub fn choice<F: Send + Sync + 'static>(
        form: RwSignal<F>,
        get: fn(&F) -> &str,
        set: fn(&mut F, &str),
    ) -> Self {
        Self {
            read: Memo::new(move |_| form.with(|f| get(f).to_owned())).into(),
            write: SignalSetter::map(move |code: String| form.update(|f| set(f, &code))),
        }
    }
}

/// `field!(form.name)`: the field `name` of the struct held in the signal `form`, for a
/// form control's `value`.
macro_rules! field {
    ($form:ident . $field:ident) => {
        $crate::components::form::Bound::field($form, |f| &f.$field, |f| &mut f.$field)
    };
}
pub(crate) use field;

/// `choice!(form.track)`: the field `track` of the struct held in the signal `form`, a
/// [`Choice`], as the code a [`SelectField`] shows and picks; a code that names no value
/// changes nothing.
macro_rules! choice {
    ($form:ident . $field:ident) => {
        $crate::components::form::Bound::choice(
            $form,
            |f| $crate::components::form::Choice::code(&f.$field),
            |f, code| {
                if let Some(value) = $crate::components::form::Choice::from_code(code) {
                    f.$field = value;
                }
            },
        )
    };
}
pub(crate) use choice;

/// A value a `<select>` offers, as its `<option value>`: a domain enum's stored name (its
/// `as_str`), read back with its `parse`. `""` is the empty option: `None`.
pub trait Choice: Sized {
    /// The option's value.
    fn code(&self) -> &str;
    /// The value of the option with this code, if it is one.
    fn from_code(code: &str) -> Option<Self>;
}

/// An optional choice: the empty option is `None`.
impl<T: Choice> Choice for Option<T> {
    fn code(&self) -> &str {
        self.as_ref().map_or("", Choice::code)
    }

    fn from_code(code: &str) -> Option<Self> {
        if code.is_empty() {
            Some(None)
        } else {
            T::from_code(code).map(Some)
        }
    }
}

/// `Choice` for enums with an `as_str` and a `parse` of their stored names: the domain's
/// states and kinds that forms offer (below), and the portal's own.
macro_rules! stored_choices {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $crate::components::form::Choice for $ty {
                fn code(&self) -> &str {
                    self.as_str()
                }

                fn from_code(code: &str) -> Option<Self> {
                    <$ty>::parse(code)
                }
            }
        )*
    };
}

pub(crate) use stored_choices;

stored_choices!(
    Track,
    DurationKind,
    ThresholdKind,
    BonusTrigger,
    PayoutSchedule,
    AttributionModel,
    DealStatus
);

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
    #[prop(into)]
    value: Bound<String>,
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
                bind:value=(value.read, value.write)
            />
            <FieldError id error />
        </div>
    }
}

/// The choices of a [`SelectField`] as `(value, text)`: fixed codes (a domain enum's,
/// currencies) or values from the API (the ids of a partner's programs).
pub struct SelectOptions(Vec<(Cow<'static, str>, String)>);

impl From<Vec<(&'static str, String)>> for SelectOptions {
    fn from(options: Vec<(&'static str, String)>) -> Self {
        Self(options.into_iter().map(|(c, t)| (c.into(), t)).collect())
    }
}

impl From<Vec<(String, String)>> for SelectOptions {
    fn from(options: Vec<(String, String)>) -> Self {
        Self(options.into_iter().map(|(c, t)| (c.into(), t)).collect())
    }
}

/// A labelled `<select>` bound to a signal: a text of its own, or a [`Choice`] of a form's
/// struct (`choice!(form.track)`); the empty option means "not set".
#[component]
pub fn SelectField(
    /// The select's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The chosen option's value (`""` for none).
    #[prop(into)]
    value: Bound<String>,
    /// The choices as `(value, text)`: a [`Choice`]'s code, a code like `EUR`, or an id
    /// from the API.
    #[prop(into)]
    options: SelectOptions,
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
    let chosen = value.read;
    let options = options
        .0
        .into_iter()
        .map(|(code, text)| {
            let value = code.clone();
            // `prop:selected` rather than the select's value: the options do not exist yet
            // when the select's own properties are first set.
            view! {
                <option value=value prop:selected=move || chosen.with(|v| *v == *code)>
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
                on:change=move |ev| value.write.set(event_target_value(&ev))
            >
                {(!required)
                    .then(|| {
                        view! {
                            <option value="" prop:selected=move || chosen.with(String::is_empty)>
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

/// Every currency as a select option: `EUR – Euro`.
pub fn currency_options() -> Vec<(&'static str, String)> {
    CURRENCIES
        .iter()
        .map(|c| (c.code, format!("{} – {}", c.code, c.name)))
        .collect()
}

/// A labelled multi-line text input bound to a signal.
#[component]
pub fn TextAreaField(
    /// The textarea's id (unique on the page); the label points at it.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The value, read and written as the person types.
    #[prop(into)]
    value: Bound<String>,
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
                bind:value=(value.read, value.write)
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
    #[prop(into)]
    checked: Bound<bool>,
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
                bind:checked=(checked.read, checked.write)
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
    #[prop(into)]
    values: Bound<Vec<String>>,
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
                move || values.read.with(|v| v.contains(&value))
            };
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                let mut ticked = values.read.get_untracked();
                ticked.retain(|x| *x != value);
                if on {
                    ticked.push(value.clone());
                }
                values.write.set(ticked);
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

    #[derive(Debug, Clone, PartialEq)]
    struct Inputs {
        name: String,
        threshold: Option<ThresholdKind>,
    }

    #[test]
    fn a_field_of_a_form_reads_and_writes_its_part_of_the_struct() {
        let form = RwSignal::new(Inputs {
            name: "Iron".to_owned(),
            threshold: None,
        });
        let name = field!(form.name);
        assert_eq!(name.read.get_untracked(), "Iron");
        name.write.set("Gold".to_owned());
        assert_eq!(form.with_untracked(|f| f.name.clone()), "Gold");

        let threshold = choice!(form.threshold);
        assert_eq!(threshold.read.get_untracked(), "");
        threshold
            .write
            .set(ThresholdKind::SalesVolume.as_str().to_owned());
        assert_eq!(
            form.with_untracked(|f| f.threshold),
            Some(ThresholdKind::SalesVolume)
        );
        assert_eq!(threshold.read.get_untracked(), "sales_volume");
        // A code that names nothing changes nothing; the empty option is `None`.
        threshold.write.set("paid".to_owned());
        assert_eq!(
            form.with_untracked(|f| f.threshold),
            Some(ThresholdKind::SalesVolume)
        );
        threshold.write.set(String::new());
        assert_eq!(form.with_untracked(|f| f.threshold), None);
        assert_eq!(form.with_untracked(|f| f.name.clone()), "Gold");
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
