//! Table definitions, written to match `migrations/{sqlite,postgres}` (both backends
//! share these column types).

diesel::table! {
    users (id) {
        id -> BigInt,
        public_number -> Nullable<Integer>,
        partner_kind -> Nullable<Text>,
        role -> Text,
        email -> Text,
        password_hash -> Text,
        first_name -> Text,
        last_name -> Text,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        payout_currency -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_reset_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> BigInt,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamp,
        redacted_body -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limit_hits (bucket, window_start) {
        bucket -> Text,
        window_start -> BigInt,
        hits -> Integer,
    }
}

diesel::table! {
    programs (id) {
        id -> BigInt,
        name -> Text,
        currency -> Text,
        attribution_window_days -> Integer,
        hold_days -> Integer,
        minimum_payout_minor -> BigInt,
        payout_schedule -> Text,
        landing_url -> Text,
        allowed_domains -> Text,
        rules_text -> Text,
        self_signup -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        attribution_model -> Text,
    }
}

diesel::table! {
    levels (id) {
        id -> BigInt,
        program_id -> BigInt,
        position -> Integer,
        name -> Text,
        track -> Text,
        flat_minor -> Nullable<BigInt>,
        percent -> Nullable<Text>,
        duration_kind -> Text,
        duration_months -> Nullable<Integer>,
        bonus_minor -> Nullable<BigInt>,
        bonus_trigger -> Nullable<Text>,
        threshold_kind -> Nullable<Text>,
        threshold_value -> Nullable<BigInt>,
        rule_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        user_id -> BigInt,
        program_id -> BigInt,
        level_id -> BigInt,
        track -> Text,
        rate_override -> Nullable<Text>,
        status -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    level_history (id) {
        id -> BigInt,
        membership_id -> BigInt,
        from_level_id -> Nullable<BigInt>,
        to_level_id -> BigInt,
        reason -> Text,
        actor_id -> Nullable<BigInt>,
        at -> Timestamp,
    }
}

diesel::table! {
    track_requests (id) {
        id -> BigInt,
        membership_id -> BigInt,
        to_track -> Text,
        message -> Text,
        status -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    links (id) {
        id -> BigInt,
        membership_id -> BigInt,
        code -> Text,
        label -> Text,
        promo_code -> Nullable<Text>,
        is_default -> Bool,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    clicks (id) {
        id -> BigInt,
        public_id -> Text,
        link_id -> BigInt,
        membership_id -> BigInt,
        program_id -> BigInt,
        visitor -> Text,
        is_unique -> Bool,
        landing_query -> Text,
        referrer_host -> Nullable<Text>,
        clicked_at -> Timestamp,
    }
}

diesel::table! {
    deals (id) {
        id -> BigInt,
        membership_id -> BigInt,
        program_id -> BigInt,
        link_id -> Nullable<BigInt>,
        click_id -> Nullable<Text>,
        name -> Text,
        email -> Text,
        company -> Nullable<Text>,
        message -> Text,
        status -> Text,
        amount_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        link_id -> BigInt,
        membership_id -> BigInt,
        email -> Text,
        message -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    membership_customer_figures (membership_id, status) {
        membership_id -> BigInt,
        status -> Text,
        customers -> BigInt,
        paying -> BigInt,
    }
}

diesel::table! {
    membership_sales_figures (membership_id, currency) {
        membership_id -> BigInt,
        currency -> Text,
        payments -> BigInt,
        net_minor -> BigInt,
    }
}

diesel::table! {
    daily_earnings (membership_id, day, link_id, currency) {
        membership_id -> BigInt,
        day -> Date,
        link_id -> BigInt,
        currency -> Text,
        earned_minor -> BigInt,
    }
}

diesel::table! {
    link_daily_stats (link_id, day) {
        link_id -> BigInt,
        day -> Date,
        membership_id -> BigInt,
        clicks -> BigInt,
        unique_clicks -> BigInt,
        bot_clicks -> BigInt,
        signups -> BigInt,
        paying_customers -> BigInt,
        deals -> BigInt,
    }
}

diesel::table! {
    customers (id) {
        id -> BigInt,
        external_id -> Text,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        membership_id -> Nullable<BigInt>,
        link_id -> Nullable<BigInt>,
        attributed_via -> Nullable<Text>,
        attributed_at -> Nullable<Timestamp>,
        status -> Text,
        plan -> Nullable<Text>,
        subscription_ends_at -> Nullable<Timestamp>,
        balance_minor -> Nullable<BigInt>,
        balance_currency -> Nullable<Text>,
        signed_up_at -> Timestamp,
        first_paid_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        external_id -> Text,
        customer_external_id -> Text,
        customer_id -> Nullable<BigInt>,
        amount_minor -> BigInt,
        currency -> Text,
        period_months -> Integer,
        paid_at -> Timestamp,
        refunded_minor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    commissions (id) {
        id -> BigInt,
        payment_id -> BigInt,
        membership_id -> BigInt,
        level_id -> BigInt,
        rule_version -> Integer,
        kind -> Text,
        rate -> Nullable<Text>,
        amount_minor -> BigInt,
        currency -> Text,
        reversed_minor -> BigInt,
        status -> Text,
        available_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        link_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    client_bonuses (id) {
        id -> BigInt,
        customer_id -> BigInt,
        membership_id -> BigInt,
        level_id -> BigInt,
        amount_minor -> BigInt,
        currency -> Text,
        trigger -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_transfers (id) {
        id -> BigInt,
        key -> Text,
        currency -> Text,
        from_membership -> Nullable<BigInt>,
        from_kind -> Text,
        to_membership -> Nullable<BigInt>,
        to_kind -> Text,
        amount_minor -> BigInt,
        cause_type -> Text,
        cause_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        name -> Text,
        owner -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        owner -> Text,
        event_id -> Text,
        kind -> Text,
        body_hash -> Text,
        status -> Text,
        result -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    adjustments (id) {
        id -> BigInt,
        membership_id -> BigInt,
        amount_minor -> BigInt,
        currency -> Text,
        reason -> Text,
        actor_id -> BigInt,
        created_at -> Timestamp,
        idempotency_key -> Nullable<Text>,
        request_hash -> Nullable<Text>,
    }
}

diesel::table! {
    payment_reversals (id) {
        id -> BigInt,
        payment_id -> BigInt,
        refund_id -> Text,
        kind -> Text,
        amount_minor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        description -> Text,
        secret -> Text,
        events -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        message_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status_code -> Nullable<Integer>,
        last_response -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        response_snippet -> Nullable<Text>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(password_reset_tokens -> users (user_id));
diesel::joinable!(levels -> programs (program_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> programs (program_id));
diesel::joinable!(memberships -> levels (level_id));
diesel::joinable!(links -> memberships (membership_id));
diesel::joinable!(clicks -> links (link_id));
diesel::joinable!(deals -> memberships (membership_id));
diesel::joinable!(invitations -> links (link_id));
diesel::joinable!(link_daily_stats -> links (link_id));
diesel::joinable!(track_requests -> memberships (membership_id));
diesel::joinable!(customers -> memberships (membership_id));
diesel::joinable!(payments -> customers (customer_id));
diesel::joinable!(commissions -> payments (payment_id));
diesel::joinable!(payment_reversals -> payments (payment_id));
diesel::joinable!(commissions -> memberships (membership_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    password_reset_tokens,
    programs,
    levels,
    memberships,
    level_history,
    track_requests,
    links,
    clicks,
    deals,
    invitations,
    link_daily_stats,
    membership_customer_figures,
    membership_sales_figures,
    daily_earnings,
    customers,
    payments,
    payment_reversals,
    commissions,
    client_bonuses,
    ledger_transfers,
    api_keys,
    events,
    audit_log,
    adjustments,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
);
