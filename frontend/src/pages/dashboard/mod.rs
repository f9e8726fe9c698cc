//! `/dashboard`: what a partner looks at first (S1, L5, C5, T3): the default referral
//! link with a Copy button, the activity chart (clicks, sign-ups, paying customers and
//! deals over 30, 90 or 365 days), their money per currency (earned, pending, available,
//! withdrawn), their busiest links, and per program the level with its rate and progress
//! to the next level, customers by status, successful sales and revenue.
//!
//! This module has the page and its cards; `chart.rs` the chart, `top_links.rs` the
//! links.

mod chart;
mod earnings_chart;
mod top_links;

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::components::A;
use partnerly_domain::ledger::Balance;
use partnerly_domain::level::RuleDuration;
use partnerly_domain::link::{LinkList, LinkView};
use partnerly_domain::money::{Currency, Money, MoneyView};
use partnerly_domain::partner::{
    MembershipList, MembershipStats, MembershipView, NextLevel, Stats,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use self::chart::ActivityChart;
use self::top_links::TopLinks;
use crate::api::{self, ApiFailure};
use crate::components::copy::CopyField;
use crate::components::fetch::Fetch;
use crate::components::layout::{LoadFailed, Loading, set_title};
use crate::format::{duration_words, format_money};
use crate::session::use_session;

/// Loads the figures (`GET /api/v1/me/stats`), the links and the programs, in parallel.
#[component]
pub fn Dashboard() -> impl IntoView {
    set_title("Dashboard");
    let session = use_session();
    let stats = Fetch::new(move || api::stats(session));
    let links = Fetch::new(move || api::links(session));
    let programs = Fetch::new(move || api::programs(session));
    let retry = move || {
        stats.refetch();
        links.refetch();
        programs.refetch();
    };

    view! {
        <div class="page page-wide">
            <header class="page-header">
                <h1>"Dashboard"</h1>
                <p class="intro">"Your referral link, your earnings and your customers at a glance."</p>
            </header>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=move |errors| {
                    view! { <LoadFailed what="your dashboard" errors retry /> }
                }>
                    {move || Suspend::new(async move {
                        let stats = stats.value().await?;
                        let links = links.value().await?;
                        let programs = programs.value().await?;
                        Ok::<_, ApiFailure>(view! { <Overview stats links programs /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// The link to share: the first enabled default link, else any enabled one.
fn default_link(links: &LinkList) -> Option<LinkView> {
    let enabled = || links.items.iter().filter(|l| !l.disabled);
    enabled()
        .find(|l| l.is_default)
        .or_else(|| enabled().next())
        .cloned()
}

/// Zero in `currency`, for the figures of a partner who has earned nothing yet.
fn zero(currency: Currency) -> MoneyView {
    Money::zero(currency).to_view()
}

/// The balances to show: the API's, or zeros in each program's currency before the
/// first commission (a new partner sees "$0.00", not an empty space).
fn balances_to_show(stats: &Stats, programs: &MembershipList) -> Vec<Balance> {
    if !stats.balances.is_empty() {
        return stats.balances.clone();
    }
    let currencies: BTreeSet<Currency> = programs.items.iter().map(|p| p.currency).collect();
    currencies
        .into_iter()
        .map(|currency| Balance {
            currency,
            pending: zero(currency),
            available: zero(currency),
            reserved: zero(currency),
            review: zero(currency),
            withdrawn: zero(currency),
            earned: zero(currency),
        })
        .collect()
}

/// Everything on the dashboard once loaded.
#[component]
fn Overview(
    /// `GET /api/v1/me/stats`.
    stats: Stats,
    /// `GET /api/v1/links`.
    links: LinkList,
    /// `GET /api/v1/me/programs`: currencies and the levels' rule durations.
    programs: MembershipList,
) -> impl IntoView {
    let link = default_link(&links);
    let balances = balances_to_show(&stats, &programs);
    let several_currencies = balances.len() > 1;
    let memberships = stats
        .memberships
        .into_iter()
        .map(|figures| {
            let program = programs
                .items
                .iter()
                .find(|p| p.id == figures.membership_id)
                .cloned();
            view! { <MembershipOverview figures program /> }
        })
        .collect_view();

    view! {
        <ReferralLink link />
        <ActivityChart />
        <section class="dashboard-section" aria-labelledby="money-heading">
            <div class="section-header">
                <h2 id="money-heading">"Your money"</h2>
                <A href="/earnings" attr:class="section-link">
                    "See every commission"
                </A>
            </div>
            {balances
                .into_iter()
                .map(|balance| view! { <BalanceCards balance titled=several_currencies /> })
                .collect_view()}
        </section>
        {(!links.items.is_empty()).then(|| view! { <TopLinks links=links.items /> })}
        {memberships}
    }
}

/// The default referral link, readable and selectable, with a Copy button.
#[component]
fn ReferralLink(
    /// The link, if the partner has one.
    link: Option<LinkView>,
) -> impl IntoView {
    let body = match link {
        Some(link) => view! { <CopyField label="Your referral link" value=link.url /> }.into_any(),
        None => view! {
            <p class="muted">
                "You have no active referral link. Ask your partner manager for one."
            </p>
        }
        .into_any(),
    };

    view! {
        <section class="panel link-card" aria-labelledby="link-heading">
            <div class="link-card-text">
                <h2 id="link-heading">"Your referral link"</h2>
                <p class="intro">
                    "Everyone who signs up through it becomes your customer, and you earn from their payments."
                </p>
            </div>
            <div class="link-card-action">{body}</div>
        </section>
    }
}

/// One figure with its label as accessible name (`role="group"`), e.g. "Earned $9.80".
#[component]
fn Figure(
    /// The element id of the label, unique on the page.
    id: String,
    /// What the figure is: "Earned", "Active".
    label: &'static str,
    /// The figure, already formatted.
    value: String,
    /// A line under the figure explaining it.
    #[prop(optional)]
    note: Option<&'static str>,
    /// Extra classes: `stat-primary`.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let labelled_by = id.clone();
    view! {
        <div class=format!("stat {class}") role="group" aria-labelledby=labelled_by>
            <p class="stat-label" id=id>
                {label}
            </p>
            <p class="stat-value">{value}</p>
            {note.map(|note| view! { <p class="stat-note">{note}</p> })}
        </div>
    }
}

/// Earned, pending, available and withdrawn in one currency; reserved and review
/// only when something is in them.
#[component]
fn BalanceCards(
    /// The balance of one currency.
    balance: Balance,
    /// Whether to name the currency (the partner has money in several).
    titled: bool,
) -> impl IntoView {
    let code = balance.currency.code();
    let id = move |what: &str| format!("balance-{}-{what}", code.to_ascii_lowercase());
    let non_zero = |money: &MoneyView| money.parse().is_ok_and(|m| m.minor() != 0);
    let reserved = non_zero(&balance.reserved).then(|| {
        view! {
            <Figure
                id=id("reserved")
                label="In withdrawals"
                value=format_money(&balance.reserved)
                note="Requested, not yet paid"
            />
        }
    });
    let review = non_zero(&balance.review).then(|| {
        view! {
            <Figure
                id=id("review")
                label="In review"
                value=format_money(&balance.review)
                note="Held while we check it"
            />
        }
    });
    view! {
        <div class="balance-group">
            {titled.then(|| view! { <h3 class="balance-currency">{code}</h3> })}
            <div class="money-cards">
                <Figure
                    id=id("earned")
                    label="Earned"
                    value=format_money(&balance.earned)
                    note="All time, after refunds"
                    class="stat-primary"
                />
                <Figure
                    id=id("pending")
                    label="Pending"
                    value=format_money(&balance.pending)
                    note="In the hold period"
                />
                <Figure
                    id=id("available")
                    label="Available"
                    value=format_money(&balance.available)
                    note="Ready to withdraw"
                />
                <Figure
                    id=id("withdrawn")
                    label="Withdrawn"
                    value=format_money(&balance.withdrawn)
                    note="Paid out to you"
                />
                {reserved}
                {review}
            </div>
        </div>
    }
}

/// One program: the level card and the customers card.
#[component]
fn MembershipOverview(
    /// The program's figures.
    figures: MembershipStats,
    /// The membership, for the currency and the rule's duration.
    program: Option<MembershipView>,
) -> impl IntoView {
    let heading = format!("program-{}", figures.membership_id);
    let currency = program.as_ref().map(|p| p.currency);
    let duration = program.as_ref().map(|p| p.level.duration);
    let labelled_by = heading.clone();
    view! {
        <section class="dashboard-section" aria-labelledby=labelled_by>
            <div class="section-header">
                <h2 id=heading>{figures.program_name.clone()}</h2>
            </div>
            <div class="membership-grid">
                <LevelCard figures=figures.clone() duration />
                <CustomersCard figures currency />
            </div>
        </section>
    }
}

/// The progress as a whole percentage from 0 to 100.
fn percent_of(progress: Decimal) -> u32 {
    (progress * Decimal::ONE_HUNDRED)
        .round()
        .to_u32()
        .unwrap_or(0)
        .min(100)
}

/// The level, what it pays, and the progress to the next level (L5).
#[component]
fn LevelCard(
    /// The program's figures.
    figures: MembershipStats,
    /// For how long the percentage is paid.
    duration: Option<RuleDuration>,
) -> impl IntoView {
    let id = format!("level-{}", figures.membership_id);
    let percent = figures.current_rate.map(|rate| {
        view! {
            <p class="level-rate">
                <strong>{rate.to_string()}</strong>
                " "
                {duration_words(duration)}
            </p>
        }
    });
    let flat = figures.flat_first_payment.as_ref().map(|flat| {
        view! {
            <p class="level-rate">
                <strong>{format_money(flat)}</strong>
                " on each customer's first payment"
            </p>
        }
    });
    let nothing = (figures.current_rate.is_none() && figures.flat_first_payment.is_none())
        .then(|| view! { <p class="level-rate muted">"This level pays no commission."</p> });
    let next = match figures.next_level {
        Some(next) => view! { <NextLevelProgress next /> }.into_any(),
        None => view! {
            <div class="level-top">
                <span class="badge badge-top">"Top level"</span>
                <span class="muted">"You are on the highest level of this program."</span>
            </div>
        }
        .into_any(),
    };

    let labelled_by = id.clone();
    view! {
        <article class="panel level-card" aria-labelledby=labelled_by>
            <p class="eyebrow">"Your level"</p>
            <h3 class="level-name" id=id>
                {figures.level}
            </h3>
            {percent}
            {flat}
            {nothing}
            {next}
        </article>
    }
}

/// The bar toward the next level, with what is left in words.
#[component]
fn NextLevelProgress(
    /// The next level and the progress toward it.
    next: NextLevel,
) -> impl IntoView {
    let percent = percent_of(next.progress);
    let rate = next.percent.map(|rate| format!(" · {rate}"));
    view! {
        <div class="level-progress">
            <div class="progress-head">
                <span>"Next: " <strong>{next.name.clone()}</strong> {rate}</span>
                <span class="progress-percent">{format!("{percent}%")}</span>
            </div>
            <div
                class="progress"
                role="progressbar"
                aria-label=format!("Progress to {}", next.name)
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=percent.to_string()
                aria-valuetext=format!("{percent}%, {}", next.remaining)
            >
                <div class="progress-fill" style:width=format!("{percent}%")></div>
            </div>
            <p class="progress-note">{next.remaining}</p>
        </div>
    }
}

/// Customers by status, successful sales and revenue; an invitation to share the link
/// while there are none.
#[component]
fn CustomersCard(
    /// The program's figures.
    figures: MembershipStats,
    /// The program's currency, for a revenue of zero.
    currency: Option<Currency>,
) -> impl IntoView {
    let m = figures.membership_id;
    let heading = format!("customers-{m}");
    let id = move |what: &str| format!("m{m}-{what}");
    let counts = figures.customers;
    let empty = counts.active + counts.frozen + counts.deleted + counts.paying == 0
        && figures.successful_sales == 0;

    let body = if empty {
        view! {
            <div class="empty-state">
                <p class="empty-title">"No customers yet — share your link"</p>
                <p class="muted">
                    "Customers who sign up through your referral link appear here, with their payments and your commissions."
                </p>
            </div>
        }
            .into_any()
    } else {
        let revenue = if figures.revenue.is_empty() {
            currency.map(|c| format_money(&zero(c))).unwrap_or_default()
        } else {
            figures
                .revenue
                .iter()
                .map(format_money)
                .collect::<Vec<_>>()
                .join(" + ")
        };
        view! {
            <div class="figures">
                <Figure id=id("active") label="Active" value=counts.active.to_string() />
                <Figure id=id("frozen") label="Frozen" value=counts.frozen.to_string() />
                <Figure id=id("deleted") label="Deleted" value=counts.deleted.to_string() />
                <Figure id=id("paying") label="Paying" value=counts.paying.to_string() />
            </div>
            <div class="figures figures-wide">
                <Figure
                    id=id("sales")
                    label="Successful sales"
                    value=figures.successful_sales.to_string()
                    note="Payments by your customers"
                />
                <Figure
                    id=id("revenue")
                    label="Revenue"
                    value=revenue
                    note="Paid, minus refunds"
                />
            </div>
        }
        .into_any()
    };

    let labelled_by = heading.clone();
    view! {
        <article class="panel customers-card" aria-labelledby=labelled_by>
            <h3 id=heading>"Customers"</h3>
            {body}
        </article>
    }
}
