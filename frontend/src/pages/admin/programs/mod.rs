//! `/admin/programs` and `/admin/programs/:id` (L1, L2, A4): the programs with their
//! levels; create and edit a program's settings; add, edit and delete its levels, each
//! with its commission rule, client bonus and promotion threshold. Managers and admins.
//!
//! This module has the two pages; `list.rs` the programs' table, `program_form.rs` a
//! program's settings, `levels.rs` a program's levels and `level_form.rs` one level's
//! settings.

mod level_form;
mod levels;
mod list;
mod program_form;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::FieldErrors;
use partnerly_domain::program::{ProgramList, ProgramView};

use self::levels::Levels;
use self::list::ProgramTable;
use self::program_form::ProgramForm;
use super::{AdminHeader, load_by_route_id};
use crate::api::admin;
use crate::components::fetch::Fetch;
use crate::components::layout::Loaded;
use crate::session::use_session;

/// `/admin/programs`: every program, and a form for a new one.
#[component]
pub fn ProgramsPage() -> impl IntoView {
    let session = use_session();
    let programs = Fetch::new(move || admin::programs(session));
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
