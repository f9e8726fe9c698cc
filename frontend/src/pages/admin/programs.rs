//! `/admin/programs` and `/admin/programs/:id` (L1, L2, A4): the programs with their
//! levels; create and edit a program's settings; add, edit and delete its levels, each
//! with its commission rule, client bonus and promotion threshold. Managers and admins.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::FieldErrors;
use partnerly_domain::iso::CURRENCIES;
use partnerly_domain::level::{RuleDuration, Track};
use partnerly_domain::level_settings::{
    BonusTrigger, ClientBonusInput, CreateLevelRequest, LevelView, ThresholdInput, ThresholdView,
    UpdateLevelRequest,
};
use partnerly_domain::money::Currency;
use partnerly_domain::program::{
    CreateProgramRequest, PayoutSchedule, ProgramList, ProgramView, UpdateProgramRequest,
};

use super::{AdminHeader, load_by_route_id};
use crate::api::{ApiFailure, admin};
use crate::components::confirm::ConfirmButton;
use crate::components::form::{
    CheckboxField, FormAlert, SelectField, SubmitActions, SubmitButton, TextAreaField, TextField,
    failure_of, field_error, fields_error, succeeded,
};
use crate::components::layout::Loaded;
use crate::components::table::{Column, DataTable};
use crate::format::{duration_words, format_money};
use crate::session::use_session;

/// `/admin/programs`: every program, and a form for a new one.
#[component]
pub fn ProgramsPage() -> impl IntoView {
    let session = use_session();
    let programs = LocalResource::new(move || admin::programs(session));
    let creating = RwSignal::new(false);
    let navigate = use_navigate();
    let on_saved = Callback::new(move |program: ProgramView| {
        navigate(
            &format!("/admin/programs/{}", program.id),
            Default::default(),
        );
    });

    view! {
        <div class="page page-wide">
            <AdminHeader
                title="Programs"
                intro="Each program has its currency, hold period, payout rules and a ladder of levels."
            />
            <div class="toolbar">
                <button
                    type="button"
                    class="button button-primary"
                    aria-expanded=move || creating.get().to_string()
                    on:click=move |_| creating.update(|open| *open = !*open)
                >
                    "New program"
                </button>
            </div>
            {move || {
                creating
                    .get()
                    .then(|| {
                        view! {
                            <section class="panel" aria-labelledby="new-program-heading">
                                <h2 id="new-program-heading">"New program"</h2>
                                <ProgramForm initial=None on_saved />
                            </section>
                        }
                    })
            }}
            <Loaded
                what="the programs"
                data=programs
                render=|list: ProgramList| view! { <ProgramTable programs=list.items /> }
            />
        </div>
    }
}

/// The programs as a table (cards on phones).
#[component]
fn ProgramTable(
    /// The programs.
    programs: Vec<ProgramView>,
) -> impl IntoView {
    if programs.is_empty() {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No programs yet"</p>
                <p class="muted">"Create the first one with New program."</p>
            </div>
        }
        .into_any();
    }
    let rows = programs
        .into_iter()
        .map(|program| {
            let levels = program
                .levels
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr>
                    <td data-label="Program" class="cell-title">
                        <A href=format!("/admin/programs/{}", program.id)>{program.name}</A>
                    </td>
                    <td data-label="Currency">{program.currency.code()}</td>
                    <td data-label="Levels">
                        {if levels.is_empty() { "None yet".to_owned() } else { levels }}
                    </td>
                    <td data-label="Attribution">
                        {format!("{} days", program.attribution_window_days)}
                    </td>
                    <td data-label="Hold">{format!("{} days", program.hold_days)}</td>
                    <td data-label="Minimum payout" class="num">
                        {format_money(&program.minimum_payout)}
                    </td>
                    <td data-label="Sign-up">
                        {if program.self_signup { "Open" } else { "By invitation" }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="Programs"
            columns=&[
                Column::Text("Program"),
                Column::Text("Currency"),
                Column::Text("Levels"),
                Column::Text("Attribution"),
                Column::Text("Hold"),
                Column::Num("Minimum payout"),
                Column::Text("Sign-up"),
            ]
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// A whole number typed into a field, or the message for that field.
fn whole_number<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    example: &str,
) -> Option<T> {
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(
                field.to_owned(),
                format!("Enter a whole number, like {example}."),
            );
            None
        }
    }
}

/// `None` for a blank input.
fn optional(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_owned())
}

/// The program form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProgramInputs {
    name: String,
    currency: String,
    attribution_window_days: String,
    hold_days: String,
    minimum_payout: String,
    payout_schedule: String,
    landing_url: String,
    /// One domain per line (commas and spaces separate too).
    allowed_domains: String,
    rules_text: String,
    self_signup: bool,
}

impl ProgramInputs {
    fn from_view(program: &ProgramView) -> Self {
        Self {
            name: program.name.clone(),
            currency: program.currency.code().to_owned(),
            attribution_window_days: program.attribution_window_days.to_string(),
            hold_days: program.hold_days.to_string(),
            minimum_payout: program.minimum_payout.amount.clone(),
            payout_schedule: program.payout_schedule.as_str().to_owned(),
            landing_url: program.landing_url.clone(),
            allowed_domains: program.allowed_domains.join("\n"),
            rules_text: program.rules_text.clone(),
            self_signup: program.self_signup,
        }
    }

    /// A new program starts with the API's defaults.
    fn new_program() -> Self {
        Self {
            name: String::new(),
            currency: "USD".to_owned(),
            attribution_window_days: "14".to_owned(),
            hold_days: "31".to_owned(),
            minimum_payout: "50.00".to_owned(),
            payout_schedule: PayoutSchedule::OnRequest.as_str().to_owned(),
            landing_url: String::new(),
            allowed_domains: String::new(),
            rules_text: String::new(),
            self_signup: true,
        }
    }

    /// Everything as a creation request; numbers that are not numbers are field errors.
    fn to_request(&self) -> Result<CreateProgramRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let window = whole_number(
            &mut errors,
            "attribution_window_days",
            &self.attribution_window_days,
            "14",
        );
        let hold = whole_number(&mut errors, "hold_days", &self.hold_days, "31");
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CreateProgramRequest {
            name: self.name.clone(),
            currency: self.currency.clone(),
            attribution_window_days: window,
            hold_days: hold,
            minimum_payout: Some(self.minimum_payout.trim().to_owned()),
            payout_schedule: PayoutSchedule::parse(&self.payout_schedule),
            landing_url: self.landing_url.clone(),
            allowed_domains: self
                .allowed_domains
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            rules_text: self.rules_text.clone(),
            self_signup: Some(self.self_signup),
        })
    }
}

/// Every field of a creation, as a change of all of them.
fn as_update(request: CreateProgramRequest) -> UpdateProgramRequest {
    UpdateProgramRequest {
        name: Some(request.name),
        currency: Some(request.currency),
        attribution_window_days: request.attribution_window_days,
        hold_days: request.hold_days,
        minimum_payout: request.minimum_payout,
        payout_schedule: request.payout_schedule,
        landing_url: Some(request.landing_url),
        allowed_domains: Some(request.allowed_domains),
        rules_text: Some(request.rules_text),
        self_signup: request.self_signup,
    }
}

/// The API fields the program form has inputs for.
const PROGRAM_FIELDS: &[&str] = &[
    "name",
    "currency",
    "attribution_window_days",
    "hold_days",
    "minimum_payout",
    "payout_schedule",
    "landing_url",
    "allowed_domains",
    "rules_text",
];

/// A program's settings: creates a program, or edits `initial`.
#[component]
fn ProgramForm(
    /// The program to edit; `None` creates one.
    initial: Option<ProgramView>,
    /// Called with the program as saved.
    on_saved: Callback<ProgramView>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|p| p.id);
    let start = initial
        .as_ref()
        .map_or_else(ProgramInputs::new_program, ProgramInputs::from_view);
    let name = RwSignal::new(start.name);
    let currency = RwSignal::new(start.currency);
    let window = RwSignal::new(start.attribution_window_days);
    let hold = RwSignal::new(start.hold_days);
    let minimum = RwSignal::new(start.minimum_payout);
    let schedule = RwSignal::new(start.payout_schedule);
    let landing = RwSignal::new(start.landing_url);
    let domains = RwSignal::new(start.allowed_domains);
    let rules = RwSignal::new(start.rules_text);
    let self_signup = RwSignal::new(start.self_signup);

    let save = Action::new_local(move |inputs: &ProgramInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let program = match editing {
                Some(id) => admin::update_program(session, id, &as_update(request)).await?,
                None => {
                    request.validate().map_err(ApiFailure::from_fields)?;
                    admin::create_program(session, &request).await?
                }
            };
            // Show what the server stored (trimmed, lower-cased domains, the landing
            // page's host added to the allowed domains).
            let saved = ProgramInputs::from_view(&program);
            name.set(saved.name);
            currency.set(saved.currency);
            window.set(saved.attribution_window_days);
            hold.set(saved.hold_days);
            minimum.set(saved.minimum_payout);
            schedule.set(saved.payout_schedule);
            landing.set(saved.landing_url);
            domains.set(saved.allowed_domains);
            rules.set(saved.rules_text);
            self_signup.set(saved.self_signup);
            on_saved.run(program);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let saved = succeeded(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(ProgramInputs {
            name: name.get_untracked(),
            currency: currency.get_untracked(),
            attribution_window_days: window.get_untracked(),
            hold_days: hold.get_untracked(),
            minimum_payout: minimum.get_untracked(),
            payout_schedule: schedule.get_untracked(),
            landing_url: landing.get_untracked(),
            allowed_domains: domains.get_untracked(),
            rules_text: rules.get_untracked(),
            self_signup: self_signup.get_untracked(),
        });
    };
    let currencies = CURRENCIES
        .iter()
        .map(|c| (c.code, format!("{} – {}", c.code, c.name)))
        .collect::<Vec<_>>();
    let schedules = vec![
        (
            PayoutSchedule::OnRequest.as_str(),
            "When the partner asks".to_owned(),
        ),
        (PayoutSchedule::Monthly.as_str(), "Monthly".to_owned()),
    ];
    let label = if editing.is_some() {
        "Save program"
    } else {
        "Create program"
    };

    view! {
        <form aria-label="Program settings" novalidate on:submit=on_submit>
            <FormAlert failure fields=PROGRAM_FIELDS />
            <div class="field-row">
                <TextField
                    id="program-name"
                    label="Program name"
                    value=name
                    error=field_error(failure, "name")
                    required=true
                />
                <SelectField
                    id="program-currency"
                    label="Currency"
                    value=currency
                    options=currencies
                    error=field_error(failure, "currency")
                    required=true
                />
            </div>
            <div class="field-row">
                <TextField
                    id="program-window"
                    label="Attribution window (days)"
                    value=window
                    error=field_error(failure, "attribution_window_days")
                    inputmode="numeric"
                    hint="1 to 365: how long a click counts."
                />
                <TextField
                    id="program-hold"
                    label="Hold (days)"
                    value=hold
                    error=field_error(failure, "hold_days")
                    inputmode="numeric"
                    hint="0 to 365: how long commissions stay pending."
                />
            </div>
            <div class="field-row">
                <TextField
                    id="program-minimum"
                    label="Minimum payout"
                    value=minimum
                    error=field_error(failure, "minimum_payout")
                    inputmode="decimal"
                    hint="In the program's currency, like 50.00."
                />
                <SelectField
                    id="program-schedule"
                    label="Payout schedule"
                    value=schedule
                    options=schedules
                    error=field_error(failure, "payout_schedule")
                    required=true
                />
            </div>
            <TextField
                id="program-landing"
                label="Landing URL"
                value=landing
                error=field_error(failure, "landing_url")
                input_type="url"
                hint="Where referral links send visitors, like https://example.com/."
                required=true
            />
            <TextAreaField
                id="program-domains"
                label="Allowed domains"
                value=domains
                error=field_error(failure, "allowed_domains")
                hint="One per line. Links may only send visitors to these hosts; empty means the landing page's host."
                rows=3
            />
            <TextAreaField
                id="program-rules"
                label="Rules"
                value=rules
                error=field_error(failure, "rules_text")
                hint="What partners read about the program."
                rows=5
            />
            <CheckboxField
                id="program-self-signup"
                label="Partners join by signing up"
                checked=self_signup
                hint="Otherwise partners are added to this program by staff."
            />
            <SubmitActions
                label
                pending=save.pending()
                done=Signal::derive(move || editing.is_some() && saved.get())
            />
        </form>
    }
}

/// `/admin/programs/:id`: the program's settings and its levels.
#[component]
pub fn ProgramPage() -> impl IntoView {
    let session = use_session();
    let program = load_by_route_id(
        move |id| admin::program(session, id),
        "There is no such program.",
    );
    view! {
        <div class="page page-wide">
            <Loaded
                what="the program"
                data=program
                render=|program: ProgramView| view! { <ProgramDetail program /> }
            />
        </div>
    }
}

/// The loaded program: header, settings and levels. Saving changes these in place, so
/// the page keeps its state (a success note, an open form).
#[component]
fn ProgramDetail(
    /// The program as loaded.
    program: ProgramView,
) -> impl IntoView {
    let name = RwSignal::new(program.name.clone());
    let currency = RwSignal::new(program.currency);
    let levels = RwSignal::new(program.levels.clone());
    let on_saved = Callback::new(move |saved: ProgramView| {
        name.set(saved.name);
        currency.set(saved.currency);
        // A new currency re-denominates the levels' amounts.
        levels.set(saved.levels);
    });
    let program_id = program.id;
    view! {
        {move || {
            view! {
                <AdminHeader title=name.get()>
                    <A href="/admin/programs">"← All programs"</A>
                </AdminHeader>
            }
        }}
        <section class="panel" aria-labelledby="settings-heading">
            <h2 id="settings-heading">"Settings"</h2>
            <ProgramForm initial=Some(program) on_saved />
        </section>
        <Levels program_id currency levels />
    }
}

/// Which level form is open.
#[derive(Debug, Clone, PartialEq)]
enum LevelEditor {
    Closed,
    New,
    /// Boxed: a level is large next to the other two.
    Edit(Box<LevelView>),
}

/// The program's levels in order, with Add, Edit and Delete.
#[component]
fn Levels(
    /// The program the levels belong to.
    program_id: i64,
    /// The program's currency: the levels' amounts are in it.
    currency: RwSignal<Currency>,
    /// The levels, lowest position first.
    levels: RwSignal<Vec<LevelView>>,
) -> impl IntoView {
    let session = use_session();
    let editor = RwSignal::new(LevelEditor::Closed);
    let delete = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            admin::delete_level(session, id).await?;
            levels.update(|all| all.retain(|l| l.id != id));
            Ok::<_, ApiFailure>(())
        }
    });
    let delete_failure = failure_of(delete);
    let on_saved = Callback::new(move |saved: LevelView| {
        levels.update(|all| {
            all.retain(|l| l.id != saved.id);
            all.push(saved);
            all.sort_by_key(|l| l.position);
        });
        editor.set(LevelEditor::Closed);
    });
    let on_cancel = Callback::new(move |()| editor.set(LevelEditor::Closed));

    let rows = move || {
        levels
            .get()
            .into_iter()
            .map(|level| {
                let edit_level = level.clone();
                let name = level.name.clone();
                let id = level.id;
                view! {
                    <tr>
                        <td data-label="Position" class="num">{level.position}</td>
                        <td data-label="Level" class="cell-title">{level.name.clone()}</td>
                        <td data-label="Track">{track_words(level.track)}</td>
                        <td data-label="Commission">{commission_words(&level)}</td>
                        <td data-label="Client bonus">{bonus_words(&level)}</td>
                        <td data-label="Promotion">{threshold_words(level.threshold.as_ref())}</td>
                        <td data-label="Rule version" class="num">{level.rule_version}</td>
                        <td class="cell-actions">
                            <button
                                type="button"
                                class="button button-quiet button-small"
                                aria-label=format!("Edit {name}")
                                on:click=move |_| editor.set(LevelEditor::Edit(Box::new(edit_level.clone())))
                            >
                                "Edit"
                            </button>
                            <ConfirmButton
                                label="Delete"
                                aria_label=format!("Delete {name}")
                                question=format!(
                                    "Delete the level {name}? This is only possible while no partner is or was on it.",
                                )
                                confirm_label="Delete level"
                                pending=delete.pending()
                                on_confirm=Callback::new(move |()| {
                                    delete.dispatch_local(id);
                                })
                            />
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="dashboard-section" aria-labelledby="levels-heading">
            <div class="section-header">
                <h2 id="levels-heading">"Levels"</h2>
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| editor.set(LevelEditor::New)
                >
                    "Add level"
                </button>
            </div>
            <FormAlert failure=delete_failure fields=&[] />
            {move || {
                if levels.with(Vec::is_empty) {
                    view! {
                        <div class="panel empty-state">
                            <p class="empty-title">"No levels yet"</p>
                            <p class="muted">
                                "Partners need a level to earn: add the first one with Add level."
                            </p>
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <DataTable
                            caption="Levels, lowest position first"
                            columns=&[
                                Column::Num("Position"),
                                Column::Text("Level"),
                                Column::Text("Track"),
                                Column::Text("Commission"),
                                Column::Text("Client bonus"),
                                Column::Text("Promotion"),
                                Column::Num("Rule version"),
                                Column::Hidden("Actions"),
                            ]
                        >
                            {rows}
                        </DataTable>
                    }
                        .into_any()
                }
            }}
            {move || {
                let (title, initial) = match editor.get() {
                    LevelEditor::Closed => return None,
                    LevelEditor::New => ("New level".to_owned(), None),
                    LevelEditor::Edit(level) => (format!("Edit {}", level.name), Some(*level)),
                };
                // Untracked: saving a level changes the list, which must not redraw the
                // form whose action is still finishing.
                let next_position = levels
                    .with_untracked(|all| all.iter().map(|l| l.position).max().unwrap_or(0) + 1);
                let label = title.clone();
                Some(
                    view! {
                        <section class="panel" aria-label=label>
                            <h2>{title}</h2>
                            <LevelForm
                                program_id
                                currency=currency.get_untracked()
                                initial
                                next_position
                                on_saved
                                on_cancel
                            />
                        </section>
                    },
                )
            }}
        </section>
    }
}

fn track_words(track: Track) -> &'static str {
    match track {
        Track::Referral => "Referral",
        Track::Integrator => "Integrator",
    }
}

/// "$25.00 on the first payment + 20% of payments in each customer's first 12 months".
fn commission_words(level: &LevelView) -> String {
    let mut parts = Vec::new();
    if let Some(flat) = &level.flat_first_payment {
        parts.push(format!("{} on the first payment", format_money(flat)));
    }
    if let Some(percent) = level.percent {
        parts.push(format!(
            "{percent} {}",
            duration_words(Some(level.duration))
        ));
    }
    if parts.is_empty() {
        "Nothing".to_owned()
    } else {
        parts.join(" + ")
    }
}

/// "$10.00 at sign-up", or a dash.
fn bonus_words(level: &LevelView) -> String {
    level.client_bonus.as_ref().map_or_else(
        || "—".to_owned(),
        |bonus| {
            let when = match bonus.trigger {
                BonusTrigger::SignUp => "at sign-up",
                BonusTrigger::FirstPayment => "at the first payment",
            };
            format!("{} {when}", format_money(&bonus.amount))
        },
    )
}

/// "3 paying customers", "$1,000.00 in sales", or "Starting level".
fn threshold_words(threshold: Option<&ThresholdView>) -> String {
    match threshold {
        Some(ThresholdView::PayingCustomers { count: 1 }) => "1 paying customer".to_owned(),
        Some(ThresholdView::PayingCustomers { count }) => format!("{count} paying customers"),
        Some(ThresholdView::SalesVolume { amount }) => {
            format!("{} in sales", format_money(amount))
        }
        None => "Starting level".to_owned(),
    }
}

/// The level form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct LevelInputs {
    name: String,
    position: String,
    /// `referral` or `integrator`.
    track: String,
    flat: String,
    percent: String,
    /// `first_payment`, `months` or `lifetime`.
    duration: String,
    months: String,
    bonus: String,
    /// `sign_up` or `first_payment`.
    bonus_trigger: String,
    /// Empty, `paying_customers` or `sales_volume`.
    threshold: String,
    threshold_value: String,
}

impl LevelInputs {
    fn from_view(level: &LevelView) -> Self {
        let (duration, months) = match level.duration {
            RuleDuration::FirstPayment {} => ("first_payment", String::new()),
            RuleDuration::Months { months } => ("months", months.to_string()),
            RuleDuration::Lifetime {} => ("lifetime", String::new()),
        };
        let (threshold, threshold_value) = match &level.threshold {
            Some(ThresholdView::PayingCustomers { count }) => {
                ("paying_customers", count.to_string())
            }
            Some(ThresholdView::SalesVolume { amount }) => ("sales_volume", amount.amount.clone()),
            None => ("", String::new()),
        };
        Self {
            name: level.name.clone(),
            position: level.position.to_string(),
            track: level.track.as_str().to_owned(),
            flat: level
                .flat_first_payment
                .as_ref()
                .map(|m| m.amount.clone())
                .unwrap_or_default(),
            percent: level
                .percent
                .map(|r| r.percent().to_string())
                .unwrap_or_default(),
            duration: duration.to_owned(),
            months,
            bonus: level
                .client_bonus
                .as_ref()
                .map(|b| b.amount.amount.clone())
                .unwrap_or_default(),
            bonus_trigger: level
                .client_bonus
                .as_ref()
                .map_or(BonusTrigger::FirstPayment, |b| b.trigger)
                .as_str()
                .to_owned(),
            threshold: threshold.to_owned(),
            threshold_value,
        }
    }

    fn new_level(position: i32) -> Self {
        Self {
            position: position.to_string(),
            track: Track::Referral.as_str().to_owned(),
            duration: "lifetime".to_owned(),
            bonus_trigger: BonusTrigger::FirstPayment.as_str().to_owned(),
            ..Self::default()
        }
    }

    /// Everything as a creation request; what cannot be read is a field error with the
    /// API's field name.
    fn to_request(&self) -> Result<CreateLevelRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let position = whole_number(&mut errors, "position", &self.position, "2");
        let track = Track::parse(&self.track).unwrap_or(Track::Referral);
        let duration = match self.duration.as_str() {
            "first_payment" => Some(RuleDuration::FirstPayment {}),
            "months" => whole_number(&mut errors, "duration.months", &self.months, "12")
                .map(|months| RuleDuration::Months { months }),
            _ => Some(RuleDuration::Lifetime {}),
        };
        let threshold = match self.threshold.as_str() {
            "paying_customers" => {
                whole_number(&mut errors, "threshold.count", &self.threshold_value, "5")
                    .map(|count| Some(ThresholdInput::PayingCustomers { count }))
            }
            "sales_volume" => match optional(&self.threshold_value) {
                Some(amount) => Some(Some(ThresholdInput::SalesVolume { amount })),
                None => {
                    errors.insert(
                        "threshold.amount".to_owned(),
                        "Enter the sales that promote a partner, like 1000.00.".to_owned(),
                    );
                    None
                }
            },
            _ => Some(None),
        };
        match (position, duration, threshold) {
            (Some(position), Some(duration), Some(threshold)) if errors.is_empty() => {
                Ok(CreateLevelRequest {
                    name: self.name.clone(),
                    position,
                    track,
                    flat_first_payment: optional(&self.flat),
                    percent: optional(&self.percent),
                    duration,
                    client_bonus: optional(&self.bonus).map(|amount| ClientBonusInput {
                        amount,
                        trigger: BonusTrigger::parse(&self.bonus_trigger)
                            .unwrap_or(BonusTrigger::FirstPayment),
                    }),
                    threshold,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Every field of a creation, as a change of all of them (`null` clears).
fn level_update(request: CreateLevelRequest) -> UpdateLevelRequest {
    UpdateLevelRequest {
        name: Some(request.name),
        position: Some(request.position),
        track: Some(request.track),
        flat_first_payment: Some(request.flat_first_payment),
        percent: Some(request.percent),
        duration: Some(request.duration),
        client_bonus: Some(request.client_bonus),
        threshold: Some(request.threshold),
    }
}

/// The API fields the level form has inputs for.
const LEVEL_FIELDS: &[&str] = &[
    "name",
    "position",
    "track",
    "flat_first_payment",
    "percent",
    "duration.months",
    "client_bonus.amount",
    "threshold.count",
    "threshold.amount",
];

/// A level's settings: creates a level, or edits `initial`.
#[component]
fn LevelForm(
    /// The level's program.
    program_id: i64,
    /// The program's currency, for the hints.
    currency: Currency,
    /// The level to edit; `None` creates one.
    initial: Option<LevelView>,
    /// The position a new level gets unless changed: one above the highest.
    next_position: i32,
    /// Called with the level as saved.
    on_saved: Callback<LevelView>,
    /// Closes the form.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|l| l.id);
    let start = initial.as_ref().map_or_else(
        || LevelInputs::new_level(next_position),
        LevelInputs::from_view,
    );
    let name = RwSignal::new(start.name);
    let position = RwSignal::new(start.position);
    let track = RwSignal::new(start.track);
    let flat = RwSignal::new(start.flat);
    let percent = RwSignal::new(start.percent);
    let duration = RwSignal::new(start.duration);
    let months = RwSignal::new(start.months);
    let bonus = RwSignal::new(start.bonus);
    let bonus_trigger = RwSignal::new(start.bonus_trigger);
    let threshold = RwSignal::new(start.threshold);
    let threshold_value = RwSignal::new(start.threshold_value);

    let save = Action::new_local(move |inputs: &LevelInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let level = match editing {
                Some(id) => admin::update_level(session, id, &level_update(request)).await?,
                None => admin::create_level(session, program_id, &request).await?,
            };
            on_saved.run(level);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(LevelInputs {
            name: name.get_untracked(),
            position: position.get_untracked(),
            track: track.get_untracked(),
            flat: flat.get_untracked(),
            percent: percent.get_untracked(),
            duration: duration.get_untracked(),
            months: months.get_untracked(),
            bonus: bonus.get_untracked(),
            bonus_trigger: bonus_trigger.get_untracked(),
            threshold: threshold.get_untracked(),
            threshold_value: threshold_value.get_untracked(),
        });
    };
    let code = currency.code();
    let tracks = vec![
        ("referral", "Referral".to_owned()),
        ("integrator", "Integrator".to_owned()),
    ];
    let durations = vec![
        ("first_payment", "First payment only".to_owned()),
        ("months", "A number of months".to_owned()),
        ("lifetime", "For life".to_owned()),
    ];
    let triggers = vec![
        (
            "first_payment",
            "At the customer's first payment".to_owned(),
        ),
        ("sign_up", "When the customer signs up".to_owned()),
    ];
    let thresholds = vec![
        ("paying_customers", "Paying customers".to_owned()),
        ("sales_volume", format!("Sales volume ({code})")),
    ];
    let label = if editing.is_some() {
        "Save level"
    } else {
        "Create level"
    };

    view! {
        <form aria-label="Level" novalidate on:submit=on_submit>
            <FormAlert failure fields=LEVEL_FIELDS />
            <div class="field-row">
                <TextField
                    id="level-name"
                    label="Level name"
                    value=name
                    error=field_error(failure, "name")
                    required=true
                />
                <TextField
                    id="level-position"
                    label="Position"
                    value=position
                    error=field_error(failure, "position")
                    inputmode="numeric"
                    hint="Higher is better; unique in the program."
                />
            </div>
            <div class="field-row">
                <SelectField
                    id="level-track"
                    label="Track"
                    value=track
                    options=tracks
                    error=field_error(failure, "track")
                    required=true
                />
            </div>
            <h3 class="form-section">"Commission"</h3>
            <div class="field-row">
                <TextField
                    id="level-flat"
                    label="Flat amount on the first payment"
                    value=flat
                    error=field_error(failure, "flat_first_payment")
                    inputmode="decimal"
                    hint="Optional, like 25.00."
                />
                <TextField
                    id="level-percent"
                    label="Percent of payments"
                    value=percent
                    error=field_error(failure, "percent")
                    inputmode="decimal"
                    hint="Optional, like 20 for 20%."
                />
            </div>
            <div class="field-row">
                <SelectField
                    id="level-duration"
                    label="Percent paid for"
                    value=duration
                    options=durations
                    error=field_error(failure, "duration")
                    required=true
                />
                {move || {
                    (duration.get() == "months")
                        .then(|| {
                            view! {
                                <TextField
                                    id="level-months"
                                    label="Months"
                                    value=months
                                    error=field_error(failure, "duration.months")
                                    inputmode="numeric"
                                    hint="1 to 120."
                                />
                            }
                        })
                }}
            </div>
            <h3 class="form-section">"Client bonus"</h3>
            <div class="field-row">
                <TextField
                    id="level-bonus"
                    label="Client bonus"
                    value=bonus
                    error=field_error(failure, "client_bonus.amount")
                    inputmode="decimal"
                    hint="Optional: what the referred customer receives."
                />
                <SelectField
                    id="level-bonus-trigger"
                    label="Bonus given"
                    value=bonus_trigger
                    options=triggers
                    error=field_error(failure, "client_bonus.trigger")
                    required=true
                />
            </div>
            <h3 class="form-section">"Promotion"</h3>
            <div class="field-row">
                <SelectField
                    id="level-threshold"
                    label="Promoted by"
                    value=threshold
                    options=thresholds
                    empty_label="Nothing (a starting level)"
                    error=field_error(failure, "threshold")
                />
                {move || {
                    (!threshold.get().is_empty())
                        .then(|| {
                            view! {
                                <TextField
                                    id="level-threshold-value"
                                    label="Threshold"
                                    value=threshold_value
                                    error=fields_error(
                                        failure,
                                        &["threshold.count", "threshold.amount"],
                                    )
                                    inputmode="decimal"
                                    hint="Customers, or the sales amount."
                                />
                            }
                        })
                }}
            </div>
            <div class="form-actions">
                <SubmitButton label pending=save.pending() />
                <button
                    type="button"
                    class="button button-quiet"
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_form_becomes_a_request_with_the_api_field_names_for_errors() {
        let inputs = LevelInputs {
            name: "Gold".into(),
            position: "2".into(),
            track: "referral".into(),
            percent: "30".into(),
            duration: "months".into(),
            months: "twelve".into(),
            threshold: "paying_customers".into(),
            threshold_value: "".into(),
            ..LevelInputs::default()
        };
        let errors = inputs.to_request().unwrap_err();
        assert!(errors.contains_key("duration.months"));
        assert!(errors.contains_key("threshold.count"));

        let inputs = LevelInputs {
            months: "12".into(),
            threshold_value: "3".into(),
            bonus: " 10 ".into(),
            bonus_trigger: "sign_up".into(),
            ..inputs
        };
        let request = inputs.to_request().unwrap();
        assert_eq!(request.position, 2);
        assert_eq!(request.flat_first_payment, None);
        assert_eq!(request.percent.as_deref(), Some("30"));
        assert_eq!(request.duration, RuleDuration::Months { months: 12 });
        assert_eq!(
            request.threshold,
            Some(ThresholdInput::PayingCustomers { count: 3 })
        );
        assert_eq!(
            request.client_bonus,
            Some(ClientBonusInput {
                amount: "10".into(),
                trigger: BonusTrigger::SignUp
            })
        );
        // An edit sends every field, clearing the ones left blank.
        let update = level_update(request);
        assert_eq!(update.flat_first_payment, Some(None));
    }

    #[test]
    fn allowed_domains_are_one_per_line_or_separated_by_commas() {
        let inputs = ProgramInputs {
            allowed_domains: "example.com\n www.example.com, app.example.com\n\n".into(),
            ..ProgramInputs::new_program()
        };
        let request = inputs.to_request().unwrap();
        assert_eq!(
            request.allowed_domains,
            ["example.com", "www.example.com", "app.example.com"]
        );
        let bad = ProgramInputs {
            hold_days: "a month".into(),
            ..ProgramInputs::new_program()
        };
        assert!(bad.to_request().unwrap_err().contains_key("hold_days"));
    }
}
