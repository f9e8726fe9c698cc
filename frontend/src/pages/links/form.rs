//! The forms of the links page: a new link (program, label, own code, promo code) and
//! a link's settings (label, promo code). Checked in the browser with the domain's
//! rules first, so that a bad code is named beside its field before anything is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::link::{CreateLinkRequest, LinkView, UpdateLinkRequest};
use partnerly_domain::partner::MembershipView;

use crate::api::{self, ApiFailure};
use crate::components::form::{
    FormAlert, SelectField, SubmitActions, SubmitButton, TextField, failure_of, field, field_error,
    succeeded,
};
use crate::session::use_session;

/// `None` for a blank input.
fn optional(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_owned())
}

/// The new link's inputs, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct NewLinkInputs {
    /// The membership's id, as the select has it.
    membership_id: String,
    label: String,
    /// Empty for a random code.
    code: String,
    /// Empty for none.
    promo_code: String,
}

impl NewLinkInputs {
    /// The request, checked as the API checks it.
    fn to_request(&self) -> Result<CreateLinkRequest, FieldErrors> {
        let Ok(membership_id) = self.membership_id.parse() else {
            let mut errors = FieldErrors::new();
            errors.insert("membership_id".into(), "Choose a program.".into());
            return Err(errors);
        };
        let request = CreateLinkRequest {
            membership_id,
            label: self.label.trim().to_owned(),
            code: optional(&self.code),
            promo_code: optional(&self.promo_code),
        };
        request.validate()?;
        Ok(request)
    }
}

/// Program (when the partner is in several), label, own code and promo code.
#[component]
pub(super) fn NewLinkForm(
    /// The partner's programs.
    programs: Vec<MembershipView>,
    /// Called with the new link.
    on_created: Callback<LinkView>,
) -> impl IntoView {
    let session = use_session();
    let form = RwSignal::new(NewLinkInputs {
        membership_id: programs
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        ..NewLinkInputs::default()
    });
    let create = Action::new_local(move |inputs: &NewLinkInputs| {
        let request = inputs.to_request();
        async move {
            let request = request.map_err(ApiFailure::from_fields)?;
            on_created.run(api::create_link(session, &request).await?);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(create);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch_local(form.get_untracked());
    };
    let program_select = (programs.len() > 1).then(|| {
        let options = programs
            .iter()
            .map(|p| (p.id.to_string(), p.program_name.clone()))
            .collect::<Vec<_>>();
        view! {
            <SelectField
                id="link-program"
                label="Program"
                value=field!(form.membership_id)
                options
                error=field_error(failure, "membership_id")
                required=true
            />
        }
    });
    view! {
        <form aria-label="New link" novalidate on:submit=on_submit>
            <FormAlert failure fields=&["membership_id", "label", "code", "promo_code"] />
            {program_select}
            <TextField
                id="link-label"
                label="Label"
                value=field!(form.label)
                error=field_error(failure, "label")
                hint="Where you share it or for which campaign: “Spring newsletter”."
            />
            <div class="field-row">
                <TextField
                    id="link-code"
                    label="Your own code"
                    value=field!(form.code)
                    error=field_error(failure, "code")
                    hint="Optional: 3 to 32 letters, digits, - and _. Empty: a random code."
                />
                <TextField
                    id="link-promo"
                    label="Promo code"
                    value=field!(form.promo_code)
                    error=field_error(failure, "promo_code")
                    hint="Optional: customers may enter it at sign-up instead of using the link."
                />
            </div>
            <div class="form-actions">
                <SubmitButton label="Create link" pending=create.pending() />
            </div>
        </form>
    }
}

/// A link's settings, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LinkSettings {
    label: String,
    /// Empty removes the promo code.
    promo_code: String,
}

impl LinkSettings {
    fn of(link: &LinkView) -> Self {
        Self {
            label: link.label.clone(),
            promo_code: link.promo_code.clone().unwrap_or_default(),
        }
    }

    /// The change from `link`: only what differs, so that an unchanged promo code is not
    /// checked again.
    fn to_request(&self, link: &LinkView) -> Result<UpdateLinkRequest, FieldErrors> {
        let label = self.label.trim();
        let promo = optional(&self.promo_code);
        let promo_code = match (promo, link.promo_code.as_deref()) {
            (None, None) => None,
            (None, Some(_)) => Some(None),
            (Some(new), Some(old)) if new.eq_ignore_ascii_case(old) => None,
            (Some(new), _) => Some(Some(new)),
        };
        let request = UpdateLinkRequest {
            label: (label != link.label).then(|| label.to_owned()),
            promo_code,
            disabled: None,
        };
        request.validate()?;
        Ok(request)
    }
}

/// Label and promo code of one link.
#[component]
pub(super) fn EditLinkForm(
    /// The link as loaded.
    link: LinkView,
    /// The panel's change of the link, which this form shares with Disable / Enable.
    update: Action<UpdateLinkRequest, Result<LinkView, ApiFailure>>,
    /// Whether the last change was Disable / Enable rather than this form.
    toggling: RwSignal<bool>,
) -> impl IntoView {
    let form = RwSignal::new(LinkSettings::of(&link));
    let loaded = StoredValue::new(link);
    // What the browser found wrong before sending.
    let invalid = RwSignal::new(None::<ApiFailure>);
    let answer = failure_of(update);
    let failure = Signal::derive(move || {
        invalid
            .get()
            .or_else(|| (!toggling.get()).then(|| answer.get()).flatten())
    });
    let done = Signal::derive(move || !toggling.get() && succeeded(update).get());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // Measured against the link as last stored.
        let current = update
            .value()
            .with_untracked(|v| v.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_else(|| loaded.get_value());
        match form.with_untracked(|f| f.to_request(&current)) {
            Ok(request) => {
                invalid.set(None);
                toggling.set(false);
                update.dispatch_local(request);
            }
            Err(fields) => invalid.set(Some(ApiFailure::from_fields(fields))),
        }
    };
    view! {
        <form aria-label="Link settings" novalidate on:submit=on_submit>
            <FormAlert failure fields=&["label", "promo_code"] />
            <div class="field-row">
                <TextField
                    id="edit-link-label"
                    label="Label"
                    value=field!(form.label)
                    error=field_error(failure, "label")
                />
                <TextField
                    id="edit-link-promo"
                    label="Promo code"
                    value=field!(form.promo_code)
                    error=field_error(failure, "promo_code")
                    hint="Empty: no promo code."
                />
            </div>
            <SubmitActions label="Save link" pending=update.pending() done />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use partnerly_domain::link::LinkFigures;

    use super::*;

    fn link(label: &str, promo: Option<&str>) -> LinkView {
        LinkView {
            id: 1,
            membership_id: 2,
            program_name: "Referral program".into(),
            code: "k7Qm2xWp".into(),
            url: "http://localhost/r/k7Qm2xWp".into(),
            label: label.into(),
            promo_code: promo.map(str::to_owned),
            is_default: false,
            disabled: false,
            figures: LinkFigures::default(),
            earnings: Vec::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_new_link_sends_blank_codes_as_absent_and_checks_them() {
        let inputs = NewLinkInputs {
            membership_id: "2".into(),
            label: " Spring ".into(),
            code: "  ".into(),
            promo_code: "jane20".into(),
        };
        let request = inputs.to_request().unwrap();
        assert_eq!(request.label, "Spring");
        assert_eq!(request.code, None);
        assert_eq!(request.promo_code.as_deref(), Some("jane20"));

        let bad = NewLinkInputs {
            code: "admin".into(),
            promo_code: "20%".into(),
            ..inputs.clone()
        }
        .to_request()
        .unwrap_err();
        assert!(bad.contains_key("code") && bad.contains_key("promo_code"));
        let no_program = NewLinkInputs {
            membership_id: String::new(),
            ..inputs
        };
        assert!(
            no_program
                .to_request()
                .unwrap_err()
                .contains_key("membership_id")
        );
    }

    #[test]
    fn settings_send_only_what_changed() {
        let current = link("Spring", Some("JANE20"));
        let same = LinkSettings {
            label: "Spring".into(),
            promo_code: "jane20".into(),
        };
        assert_eq!(
            same.to_request(&current).unwrap(),
            UpdateLinkRequest::default()
        );

        let removed = LinkSettings {
            label: "Summer".into(),
            promo_code: " ".into(),
        }
        .to_request(&current)
        .unwrap();
        assert_eq!(removed.label.as_deref(), Some("Summer"));
        assert_eq!(removed.promo_code, Some(None));

        let added = LinkSettings::of(&link("", None));
        let added = LinkSettings {
            promo_code: "NEW-1".into(),
            ..added
        }
        .to_request(&link("", None))
        .unwrap();
        assert_eq!(added.promo_code, Some(Some("NEW-1".into())));
        assert_eq!(added.label, None);
    }
}
