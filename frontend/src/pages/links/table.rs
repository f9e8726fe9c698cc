//! The table of links: one row per link with its figures, and a button that shows the
//! link's panel (share, QR code, settings).

use leptos::prelude::*;
use partnerly_domain::link::{LinkFigures, LinkView};

use super::{link_title, status_badge};
use crate::components::table::{Column, DataTable};
use crate::format::format_money;

/// The conversion as shown: "12.5%", or a dash before the first unique click.
fn conversion_words(figures: &LinkFigures) -> String {
    figures
        .conversion_percent
        .as_ref()
        .map_or_else(|| "—".to_owned(), |percent| format!("{percent}%"))
}

/// What a link earned, per currency: "$9.80 + €5.00", or a dash.
fn earnings_words(link: &LinkView) -> String {
    if link.earnings.is_empty() {
        return "—".to_owned();
    }
    link.earnings
        .iter()
        .map(format_money)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Every link in the order given (the API's: default links first); also the dashboard's
/// busiest links, whose buttons lead here.
#[component]
pub(crate) fn LinkTable(
    /// The links.
    links: RwSignal<Vec<LinkView>>,
    /// Whether to name each link's program.
    several_programs: bool,
    /// The link whose panel is open.
    chosen: RwSignal<Option<i64>>,
    /// Opens a link's panel.
    on_choose: Callback<i64>,
) -> impl IntoView {
    let rows = move || {
        links
            .get()
            .into_iter()
            .map(|link| {
                let id = link.id;
                let title = link_title(&link);
                let f = &link.figures;
                view! {
                    <tr class:row-disabled=link.disabled>
                        <td data-label="Link" class="cell-title">
                            <span class="cell-main">{title.clone()}</span>
                            <span class="cell-badges">
                                {status_badge(link.disabled)}
                                {link.is_default.then(|| view! { " " <span class="badge badge-top">"Default"</span> })}
                            </span>
                            <span class="cell-sub">{link.url.clone()}</span>
                            {several_programs
                                .then(|| view! { <span class="cell-sub">{link.program_name.clone()}</span> })}
                            {link
                                .promo_code
                                .clone()
                                .map(|promo| {
                                    view! { <span class="cell-sub">{format!("Promo code {promo}")}</span> }
                                })}
                        </td>
                        <td data-label="Clicks" class="num">{f.clicks}</td>
                        <td data-label="Unique" class="num">{f.unique_clicks}</td>
                        <td data-label="Sign-ups" class="num">{f.signups}</td>
                        <td data-label="Paying" class="num">{f.paying_customers}</td>
                        <td data-label="Conversion" class="num">{conversion_words(f)}</td>
                        <td data-label="Earnings" class="num nowrap">{earnings_words(&link)}</td>
                        <td class="cell-actions">
                            <button
                                type="button"
                                class="button button-quiet button-small"
                                aria-label=format!("Share and edit {title}")
                                aria-pressed=move || (chosen.get() == Some(id)).to_string()
                                on:click=move |_| on_choose.run(id)
                            >
                                "Share & edit"
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <DataTable
            caption="Your referral links, default links first"
            class="data-table link-table"
            columns=&[
                Column::Text("Link"),
                Column::Num("Clicks"),
                Column::Num("Unique"),
                Column::Num("Sign-ups"),
                Column::Num("Paying"),
                Column::Num("Conversion"),
                Column::Num("Earnings"),
                Column::Hidden("Actions"),
            ]
        >
            {rows}
        </DataTable>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_is_a_percentage_or_a_dash() {
        let mut figures = LinkFigures::default();
        assert_eq!(conversion_words(&figures), "—");
        figures.conversion_percent = Some("12.5".into());
        assert_eq!(conversion_words(&figures), "12.5%");
    }
}
