//! `/profile`: the partner's details (names, email, phone, target country, payout
//! currency) and the change-password form.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::account::Account;
use partnerly_domain::auth::ChangePasswordRequest;
use partnerly_domain::iso::COUNTRIES;
use partnerly_domain::profile::UpdateProfileRequest;

use crate::api::{self, ApiFailure};
use crate::components::fetch::Fetch;
use crate::components::form::{
    FormAlert, SelectField, SubmitActions, TextField, currency_options, failure_of, field_error,
    succeeded,
};
use crate::components::layout::{Loaded, set_title};
use crate::session::use_session;

/// Loads the account (`GET /api/v1/me`) and shows both forms.
#[component]
pub fn Profile() -> impl IntoView {
    set_title("Profile");
    let session = use_session();
    let account = Fetch::new(move || api::me(session));

    view! {
        <div class="page">
            <header class="page-header">
                <h1>"Profile"</h1>
                <p class="intro">"How we reach you and how you get paid."</p>
            </header>
            <Loaded
                what="your profile"
                data=account
                render=|account: Account| {
                    view! {
                        <ProfileForm account />
                        <ChangePasswordForm />
                    }
                }
            />
        </div>
    }
}

/// `""` for `None`.
fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// `None` for a blank input: the API clears the field.
fn optional(value: String) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Names, email, phone, target country and payout currency.
#[component]
fn ProfileForm(
    /// The account as loaded; the form starts from it.
    account: Account,
) -> impl IntoView {
    let session = use_session();
    let first_name = RwSignal::new(account.first_name.clone());
    let last_name = RwSignal::new(account.last_name.clone());
    let email = RwSignal::new(account.email.clone());
    let current_password = RwSignal::new(String::new());
    let phone = RwSignal::new(text(&account.phone));
    let country = RwSignal::new(text(&account.country));
    let payout_currency = RwSignal::new(text(&account.payout_currency));
    // The email as saved: a change to it needs the current password.
    let saved_email = RwSignal::new(account.email);

    let save = Action::new_local(move |request: &UpdateProfileRequest| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            let account = api::update_profile(session, &request).await?;
            // Show what the server stored (normalised codes, trimmed names).
            first_name.set(account.first_name.clone());
            last_name.set(account.last_name.clone());
            email.set(account.email.clone());
            current_password.set(String::new());
            phone.set(text(&account.phone));
            country.set(text(&account.country));
            payout_currency.set(text(&account.payout_currency));
            saved_email.set(account.email.clone());
            session.set_account(account);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new_email = email.get_untracked().trim().to_owned();
        // Stored addresses are lower-cased; only a real change needs the password.
        let email_changed = saved_email.with_untracked(|saved| new_email.to_lowercase() != *saved);
        let password = current_password.get_untracked();
        save.dispatch_local(UpdateProfileRequest {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            email: email_changed.then_some(new_email),
            current_password: (email_changed && !password.is_empty()).then_some(password),
            phone: Some(optional(phone.get_untracked())),
            country: Some(optional(country.get_untracked())),
            payout_currency: Some(optional(payout_currency.get_untracked())),
        });
    };

    // People look for their country by name, not by code.
    let mut countries = COUNTRIES
        .iter()
        .map(|c| (c.code, c.name.to_owned()))
        .collect::<Vec<_>>();
    countries.sort_by(|a, b| a.1.cmp(&b.1));

    view! {
        <section class="panel">
            <h2>"Your details"</h2>
            <form aria-label="Profile" novalidate on:submit=on_submit>
                <FormAlert
                    failure
                    fields=&[
                        "first_name",
                        "last_name",
                        "email",
                        "current_password",
                        "phone",
                        "country",
                        "payout_currency",
                    ]
                />
                <div class="field-row">
                    <TextField
                        id="first-name"
                        label="First name"
                        value=first_name
                        error=field_error(failure, "first_name")
                        autocomplete="given-name"
                        required=true
                    />
                    <TextField
                        id="last-name"
                        label="Last name"
                        value=last_name
                        error=field_error(failure, "last_name")
                        autocomplete="family-name"
                    />
                </div>
                <div class="field-row">
                    <TextField
                        id="email"
                        label="Email"
                        value=email
                        error=field_error(failure, "email")
                        input_type="email"
                        autocomplete="email"
                        required=true
                    />
                    <TextField
                        id="profile-current-password"
                        label="Current password"
                        value=current_password
                        error=field_error(failure, "current_password")
                        input_type="password"
                        autocomplete="current-password"
                        hint="Only needed when you change your email."
                    />
                </div>
                <div class="field-row">
                    <TextField
                        id="phone"
                        label="Phone"
                        value=phone
                        error=field_error(failure, "phone")
                        input_type="tel"
                        autocomplete="tel"
                        hint="With country code, like +44 20 7946 0958."
                    />
                </div>
                <div class="field-row">
                    <SelectField
                        id="country"
                        label="Target country"
                        value=country
                        options=countries
                        error=field_error(failure, "country")
                    />
                    <SelectField
                        id="payout-currency"
                        label="Payout currency"
                        value=payout_currency
                        options=currency_options()
                        error=field_error(failure, "payout_currency")
                    />
                </div>
                <SubmitActions label="Save profile" pending=save.pending() done=succeeded(save) />
            </form>
        </section>
    }
}

/// Current and new password.
#[component]
fn ChangePasswordForm() -> impl IntoView {
    let session = use_session();
    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());

    let change = Action::new_local(move |request: &ChangePasswordRequest| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            api::change_password(session, &request).await?;
            current_password.set(String::new());
            new_password.set(String::new());
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(change);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        change.dispatch_local(ChangePasswordRequest {
            current_password: current_password.get_untracked(),
            new_password: new_password.get_untracked(),
        });
    };

    view! {
        <section class="panel">
            <h2>"Change password"</h2>
            <form aria-label="Change password" novalidate on:submit=on_submit>
                // Tells password managers whose password changes; `hidden` keeps it out of
                // sight and out of the accessibility tree.
                <input
                    type="email"
                    name="username"
                    autocomplete="username"
                    hidden
                    readonly
                    prop:value=move || session.account().map(|a| a.email).unwrap_or_default()
                />
                <FormAlert failure fields=&["current_password", "new_password"] />
                <div class="field-row">
                    <TextField
                        id="change-current-password"
                        label="Current password"
                        value=current_password
                        error=field_error(failure, "current_password")
                        input_type="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <TextField
                        id="new-password"
                        label="New password"
                        value=new_password
                        error=field_error(failure, "new_password")
                        input_type="password"
                        autocomplete="new-password"
                        hint="At least 8 characters."
                        required=true
                    />
                </div>
                <SubmitActions
                    label="Change password"
                    pending=change.pending()
                    done=succeeded(change)
                    note="Your password has been changed."
                />
            </form>
        </section>
    }
}
