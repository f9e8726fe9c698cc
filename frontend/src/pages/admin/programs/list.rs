//! The programs as a table, on `/admin/programs`.

use leptos::prelude::*;
use leptos_router::components::A;
use partnerly_domain::program::ProgramView;

use crate::components::table::{Column, DataTable};
use crate::format::format_money;

/// The programs as a table (cards on phones).
#[component]
pub(super) fn ProgramTable(
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
