//! A program's levels, on its page: the table with Edit and Delete, Add level, and the
//! level form when one is open.

use leptos::prelude::*;
use partnerly_domain::level::Track;
use partnerly_domain::level_settings::{BonusTrigger, LevelView, ThresholdView};
use partnerly_domain::money::Currency;

use super::level_form::LevelForm;
use crate::api::{ApiFailure, admin};
use crate::components::confirm::ConfirmButton;
use crate::components::form::{FormAlert, failure_of};
use crate::components::table::{Column, DataTable};
use crate::format::{duration_words, format_money};
use crate::session::use_session;

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
pub(super) fn Levels(
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

/// A track in words.
pub(super) fn track_words(track: Track) -> &'static str {
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
