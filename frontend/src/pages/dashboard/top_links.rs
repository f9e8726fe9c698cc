//! The dashboard's links: the partner's busiest links in the links page's table, whose
//! buttons open that link on the links page (sharing, QR codes, settings).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::link::LinkView;

use crate::pages::links::LinkTable;

/// How many links the dashboard shows.
const SHOWN: usize = 5;

/// The links with the most clicks first; on a tie, the API's order (default links first).
fn busiest(mut links: Vec<LinkView>) -> Vec<LinkView> {
    links.sort_by_key(|l| std::cmp::Reverse(l.figures.clicks));
    links.truncate(SHOWN);
    links
}

/// The busiest links.
#[component]
pub(super) fn TopLinks(
    /// Every link of the partner.
    links: Vec<LinkView>,
) -> impl IntoView {
    let navigate = use_navigate();
    let total = links.len();
    let several_programs = links
        .iter()
        .any(|l| l.membership_id != links[0].membership_id);
    let on_choose = Callback::new(move |id: i64| {
        navigate(&format!("/links?link={id}"), Default::default());
    });
    let more = if total > SHOWN {
        format!("All {total} links")
    } else {
        "New links and QR codes".to_owned()
    };
    view! {
        <section class="dashboard-section" aria-labelledby="links-heading">
            <div class="section-header">
                <h2 id="links-heading">"Your links"</h2>
                <A href="/links" attr:class="section-link">
                    {more}
                </A>
            </div>
            <LinkTable
                links=RwSignal::new(busiest(links))
                several_programs
                chosen=RwSignal::new(None)
                on_choose
            />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use partnerly_domain::link::LinkFigures;

    use super::*;

    #[test]
    fn the_busiest_links_come_first_and_ties_keep_their_order() {
        let link = |id, clicks| LinkView {
            id,
            membership_id: 1,
            program_name: "Referral program".into(),
            code: format!("code{id}"),
            url: format!("http://localhost/r/code{id}"),
            label: String::new(),
            promo_code: None,
            is_default: id == 1,
            disabled: false,
            figures: LinkFigures {
                clicks,
                ..LinkFigures::default()
            },
            earnings: Vec::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let links = (1..=7)
            .map(|id| link(id, if id == 4 { 9 } else { 0 }))
            .collect();
        let ids: Vec<i64> = busiest(links).iter().map(|l| l.id).collect();
        assert_eq!(ids, [4, 1, 2, 3, 5]);
    }
}
