//! `/forgot-password`: asks for a reset link by email.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::auth::PasswordResetRequest;
use partnerly_domain::{Email, FieldErrors};

use crate::api::{self, ApiFailure};
use crate::components::form::{
    FormAlert, FormSuccess, SubmitButton, TextField, failure_of, field_error, succeeded,
};
use crate::components::layout::AuthCard;

/// The reset-request form. The answer never says whether the account exists.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());

    let submit = Action::new_local(move |request: &PasswordResetRequest| {
        let request = request.clone();
        async move {
            if let Err(problem) = Email::parse(&request.email) {
                let fields = FieldErrors::from([("email".to_owned(), problem.to_string())]);
                return Err(ApiFailure::from_fields(fields));
            }
            api::request_password_reset(&request).await
        }
    });
    let failure = failure_of(submit);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch_local(PasswordResetRequest {
            email: email.get_untracked().trim().to_owned(),
        });
    };

    view! {
        <AuthCard
            title="Reset your password"
            intro="Enter the email you signed up with and we will send you a link to choose a new password."
        >
            <FormSuccess when=succeeded(submit)>
                <p>
                    "If an account exists for that address, we sent a link to reset your password. "
                    "It may take a minute to arrive; check your spam folder too."
                </p>
            </FormSuccess>
            <form novalidate on:submit=on_submit>
                <FormAlert failure fields=&["email"] />
                <TextField
                    id="email"
                    label="Email"
                    value=email
                    error=field_error(failure, "email")
                    input_type="email"
                    autocomplete="email"
                    required=true
                />
                <SubmitButton label="Send reset link" pending=submit.pending() />
            </form>
            <p class="card-footer">
                "Remembered it? " <a href="/sign-in">"Back to sign in"</a>
            </p>
        </AuthCard>
    }
}
