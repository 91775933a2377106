//! The rules of a rotation (docs/api.md, "Rotation"), in ONE place, pure: given the old
//! token as its item is now and what the caller asked, either the conflict that forbids it
//! (409) or the two writes that make it: the new item, and the old item's change. Both
//! stores ([`crate::store::dynamodb`] in one `TransactWriteItems`, [`crate::store::memory`]
//! under one lock) apply exactly this [`Plan`].
//!
//! - Refused: a token already rotated, revoked, whose `DateExpires` cannot be read, or
//!   expired (`DateExpires <= now`), in that order of precedence.
//! - The new token: the old one's `TenantId`, `Role` and `Description`; `CreatedBy` /
//!   `CreatedById` the caller's; `RotatedFromId` the old `TokenId`. Its lifetime:
//!   `expires_in` if given; else, if the old token expires, the same length as the old
//!   one's (`DateExpires - DateCreated`); else the deployment's maximum, or none; never
//!   longer than `MAX_TOKEN_LIFETIME` when set.
//! - The old token: `grace = 0` revokes it now (`Revoked`, `DateRevoked`, `RevokedById`);
//!   otherwise its `DateExpires` becomes `now + grace`, or stays if that is earlier (a
//!   rotation never extends a token's life). Both get `RotatedToId`.

use time::OffsetDateTime;

use super::{NewTokenItem, STANDARD};
use crate::dates;
use crate::lifetime::{Expiry, Seconds};
use crate::token::TokenHash;
use crate::token_id::TokenId;

/// Why a token cannot be rotated (409), each with its own message
/// ([`crate::error::conflict_message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateConflict {
    /// `Revoked` (or a `Revoked` that is not `false`).
    Revoked,
    /// `DateExpires` at or before now.
    Expired,
    /// A `DateExpires` that cannot be read (fail closed; not reported as expired).
    ExpiryUnreadable,
    /// `RotatedToId` is set: it was rotated before.
    Rotated,
}

/// The old token as its item is now: what the rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldToken {
    /// `Role`, if a string.
    pub role: Option<String>,
    /// `Description`.
    pub description: String,
    /// `DateCreated`, if readable.
    pub date_created: Option<OffsetDateTime>,
    /// `DateExpires` as the item mapping read it.
    pub expiry: Expiry,
    /// `Revoked` (fail closed).
    pub revoked: bool,
    /// `true` if the item has a `RotatedToId`.
    pub rotated: bool,
}

/// What the caller asked for, and who the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The caller's tenant: the old token must be its, else 404.
    pub tenant_id: i64,
    /// The token to replace.
    pub token_id: TokenId,
    /// The moment of the rotation (the new `DateCreated`, the old `DateRevoked`).
    pub now: OffsetDateTime,
    /// `grace` (0 = revoke the old token now).
    pub grace: Seconds,
    /// `expires_in`, if given (already checked against the deployment's maximum).
    pub expires_in: Option<Seconds>,
    /// `MAX_TOKEN_LIFETIME`, if set.
    pub max_lifetime: Option<Seconds>,
    /// The new token's digest (its key).
    pub new_token_hash: TokenHash,
    /// The new token's `TokenId` (also the transaction's idempotency token).
    pub new_token_id: TokenId,
    /// The caller's digest: the new `CreatedBy`.
    pub caller_hash: TokenHash,
    /// The caller's `TokenId`: the new `CreatedById`, the old `RevokedById`.
    pub caller_id: Option<TokenId>,
}

/// The old item's change besides `RotatedToId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OldChange {
    /// `grace = 0`: `Revoked = true`, `DateRevoked`, `RevokedById` (if the caller has one).
    Revoke {
        /// `DateRevoked`: now.
        date_revoked: String,
        /// `RevokedById`: the caller's `TokenId`.
        revoked_by_id: Option<TokenId>,
    },
    /// `grace > 0`: `DateExpires` set to this (`now + grace`, or the old value if earlier).
    ExpireAt(String),
}

/// The two writes of a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The new item (written only if its `TokenHash` is free).
    pub new_item: NewTokenItem,
    /// The old token's `TokenId` (the new `RotatedFromId`, and its own `RotatedToId`
    /// is the new `TokenId`).
    pub rotated_from_id: TokenId,
    /// The old item's change.
    pub old_change: OldChange,
}

/// The rotation of `old` that `rotation` asks for.
///
/// # Errors
/// The [`RotateConflict`] that forbids it.
pub fn plan(old: &OldToken, rotation: &Rotation) -> Result<Plan, RotateConflict> {
    let now = rotation.now;
    if old.rotated {
        return Err(RotateConflict::Rotated);
    }
    if old.revoked {
        return Err(RotateConflict::Revoked);
    }
    let old_expires = match old.expiry {
        Expiry::Unreadable => return Err(RotateConflict::ExpiryUnreadable),
        Expiry::At(at) if at <= now => return Err(RotateConflict::Expired),
        Expiry::At(at) => Some(at),
        Expiry::Never => None,
    };
    let lifetime = rotation
        .expires_in
        .map(|asked| asked.duration())
        .or_else(|| {
            let (expires, created) = (old_expires?, old.date_created?);
            Some(expires - created)
        })
        .or_else(|| rotation.max_lifetime.map(Seconds::duration))
        .map(|d| match rotation.max_lifetime {
            Some(max) => d.min(max.duration()),
            None => d,
        });
    let format = |t: OffsetDateTime| dates::format(t).unwrap_or_default();
    let old_change = if rotation.grace.get() == 0 {
        OldChange::Revoke {
            date_revoked: format(now),
            revoked_by_id: rotation.caller_id,
        }
    } else {
        let end = rotation.grace.after(now);
        OldChange::ExpireAt(format(old_expires.map_or(end, |old| old.min(end))))
    };
    Ok(Plan {
        new_item: NewTokenItem {
            token_hash: rotation.new_token_hash.clone(),
            token_id: rotation.new_token_id,
            tenant_id: rotation.tenant_id,
            role: old.role.clone().unwrap_or_else(|| STANDARD.to_owned()),
            description: old.description.clone(),
            date_created: format(now),
            created_by: Some(rotation.caller_hash.clone()),
            created_by_id: rotation.caller_id,
            date_expires: lifetime.map(|d| format(now + d)),
            rotated_from_id: Some(rotation.token_id),
        },
        rotated_from_id: rotation.token_id,
        old_change,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::Duration;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-07 10:00:00 UTC);

    fn secs(text: &str) -> Seconds {
        crate::lifetime::grace(Some(text)).unwrap()
    }

    fn lifetime(text: &str) -> Seconds {
        crate::lifetime::requested(Some(text), None)
            .unwrap()
            .unwrap()
    }

    fn old() -> OldToken {
        OldToken {
            role: Some("Administrator".to_owned()),
            description: "ci".to_owned(),
            date_created: Some(NOW - Duration::days(10)),
            expiry: Expiry::Never,
            revoked: false,
            rotated: false,
        }
    }

    fn rotation() -> Rotation {
        Rotation {
            tenant_id: 7,
            token_id: TokenId::parse("01KBDEVSTD0000000000000001").unwrap(),
            now: NOW,
            grace: secs("0"),
            expires_in: None,
            max_lifetime: None,
            new_token_hash: TokenHash::of("new"),
            new_token_id: TokenId::parse("01KBDEVSTD0000000000000002").unwrap(),
            caller_hash: TokenHash::of("caller"),
            caller_id: TokenId::parse("01KBDEVADM0000000000000001"),
        }
    }

    #[test]
    fn refusals_say_which_rule_and_a_rotated_token_says_rotated_first() {
        let cases = [
            (
                OldToken {
                    rotated: true,
                    revoked: true,
                    ..old()
                },
                RotateConflict::Rotated,
            ),
            (
                OldToken {
                    revoked: true,
                    ..old()
                },
                RotateConflict::Revoked,
            ),
            (
                OldToken {
                    expiry: Expiry::Unreadable,
                    ..old()
                },
                RotateConflict::ExpiryUnreadable,
            ),
            (
                OldToken {
                    expiry: Expiry::At(NOW),
                    ..old()
                },
                RotateConflict::Expired,
            ),
            (
                OldToken {
                    expiry: Expiry::At(NOW - Duration::seconds(1)),
                    ..old()
                },
                RotateConflict::Expired,
            ),
        ];
        for (token, conflict) in cases {
            assert_eq!(plan(&token, &rotation()), Err(conflict), "{token:?}");
        }
        let just_alive = OldToken {
            expiry: Expiry::At(NOW + Duration::seconds(1)),
            ..old()
        };
        assert!(plan(&just_alive, &rotation()).is_ok());
    }

    #[test]
    fn the_new_token_inherits_tenant_role_and_description_and_names_its_origin() {
        let p = plan(&old(), &rotation()).unwrap();
        let r = rotation();
        assert_eq!(p.new_item.tenant_id, 7);
        assert_eq!(p.new_item.role, "Administrator");
        assert_eq!(p.new_item.description, "ci");
        assert_eq!(p.new_item.date_created, "2026-12-07T10:00:00");
        assert_eq!(p.new_item.created_by, Some(r.caller_hash.clone()));
        assert_eq!(p.new_item.created_by_id, r.caller_id);
        assert_eq!(p.new_item.rotated_from_id, Some(r.token_id));
        assert_eq!(p.rotated_from_id, r.token_id);
        assert_eq!(
            p.new_item.date_expires, None,
            "the old never expired, no maximum"
        );
        let roleless = OldToken {
            role: None,
            ..old()
        };
        assert_eq!(plan(&roleless, &r).unwrap().new_item.role, STANDARD);
    }

    #[test]
    fn grace_zero_revokes_now_and_a_grace_never_extends_an_earlier_expiry() {
        let r = rotation();
        assert_eq!(
            plan(&old(), &r).unwrap().old_change,
            OldChange::Revoke {
                date_revoked: "2026-12-07T10:00:00".to_owned(),
                revoked_by_id: r.caller_id
            }
        );
        let hour = Rotation {
            grace: secs("3600"),
            ..rotation()
        };
        assert_eq!(
            plan(&old(), &hour).unwrap().old_change,
            OldChange::ExpireAt("2026-12-07T11:00:00".to_owned())
        );
        // The old token ends in 10 minutes: a one-hour grace keeps that.
        let soon = OldToken {
            expiry: Expiry::At(NOW + Duration::minutes(10)),
            ..old()
        };
        assert_eq!(
            plan(&soon, &hour).unwrap().old_change,
            OldChange::ExpireAt("2026-12-07T10:10:00".to_owned())
        );
        // It ends in two hours: the grace shortens it to one.
        let later = OldToken {
            expiry: Expiry::At(NOW + Duration::hours(2)),
            ..old()
        };
        assert_eq!(
            plan(&later, &hour).unwrap().old_change,
            OldChange::ExpireAt("2026-12-07T11:00:00".to_owned())
        );
    }

    #[test]
    fn the_new_lifetime_is_asked_else_the_old_length_else_the_maximum_always_capped() {
        let expiring = OldToken {
            date_created: Some(NOW - Duration::days(20)),
            expiry: Expiry::At(NOW + Duration::days(10)),
            ..old()
        };
        let at = |token: &OldToken, r: &Rotation| plan(token, r).unwrap().new_item.date_expires;
        // expires_in wins.
        let asked = Rotation {
            expires_in: Some(lifetime("3600")),
            ..rotation()
        };
        assert_eq!(
            at(&expiring, &asked).as_deref(),
            Some("2026-12-07T11:00:00")
        );
        // Same length as the old (30 days).
        assert_eq!(
            at(&expiring, &rotation()).as_deref(),
            Some("2027-01-06T10:00:00")
        );
        // Never expired, no maximum: never; with a maximum: the maximum.
        assert_eq!(at(&old(), &rotation()), None);
        let max = Rotation {
            max_lifetime: Some(lifetime("86400")),
            ..rotation()
        };
        assert_eq!(at(&old(), &max).as_deref(), Some("2026-12-08T10:00:00"));
        // The old length capped by the maximum.
        assert_eq!(at(&expiring, &max).as_deref(), Some("2026-12-08T10:00:00"));
        // An old token whose DateCreated cannot be read: as create.
        let undated = OldToken {
            date_created: None,
            ..expiring.clone()
        };
        assert_eq!(at(&undated, &rotation()), None);
        assert_eq!(at(&undated, &max).as_deref(), Some("2026-12-08T10:00:00"));
    }
}
