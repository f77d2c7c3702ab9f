//! What a sub-user form or API call asks for, and the rules its values must meet before
//! anything is stored: the fields' shape, the permissions a parent may grant (SPEC §3), and
//! the cameras it may give.

use crate::backend::password;
use crate::domain::permissions::check_sub_user_grant;
use crate::domain::user::login_problem;
use crate::error::AppError;
use crate::lang::{current, labels, td_string};
use std::collections::BTreeSet;

/// A create (every field but `camera_ids` required) or an update (only the given fields
/// change). `camera_ids` left out on create gives the sub-user all of the user's cameras.
#[derive(Clone, Debug, Default)]
pub struct SubUserInput {
    pub login: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub camera_ids: Option<Vec<i64>>,
}

impl SubUserInput {
    /// Checks the shape of the given fields, naming every bad one.
    pub(super) fn check(&self, creating: bool) -> Result<(), AppError> {
        let lang = current();
        let mut bad = Vec::new();
        let mut need = |field: &str, given: bool, sentence: &str| {
            if creating && !given {
                bad.push((field.to_string(), sentence.to_string()));
            }
        };
        need("login", self.login.is_some(), td_string!(lang, client.err_login_missing));
        need("name", self.name.is_some(), td_string!(lang, client.err_name_missing));
        need("password", self.password.is_some(), td_string!(lang, client.err_password_missing));
        need("permissions", self.permissions.is_some(), td_string!(lang, client.err_permissions_missing));
        if let Some(problem) = self.login.as_deref().and_then(login_problem) {
            bad.push(("login".into(), labels::login_problem_in(lang, problem).to_string()));
        }
        if self.name.as_deref().is_some_and(|n| n.trim().is_empty() || n.chars().count() > 128) {
            bad.push(("name".into(), td_string!(lang, client.err_name_length).to_string()));
        }
        if self.password.as_deref().is_some_and(|p| p.chars().count() < password::MIN_LENGTH || p.len() > 1024) {
            let sentence = td_string!(lang, client.err_password_short, count = password::MIN_LENGTH as i64);
            bad.push(("password".into(), sentence.to_string()));
        }
        if self.camera_ids.as_ref().is_some_and(|c| c.len() > 10_000) {
            bad.push(("camera_ids".into(), td_string!(lang, client.err_too_many_cameras).to_string()));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(bad))
        }
    }
}

/// Checks the permissions for a sub-user (SPEC §3), naming each refused slug.
pub(super) fn grant(
    requested: &[String],
    stored: &[String],
    parent: &(Vec<String>, BTreeSet<u8>),
) -> Result<Vec<String>, AppError> {
    check_sub_user_grant(requested, stored, &parent.0, &parent.1)
        .map_err(|refused| AppError::fields(labels::refusals(refused)))
}

/// The cameras to store: the requested ones must be grantable; stored ones the caller cannot
/// see (outside an impersonating administrator's scope) are kept.
pub(super) fn cameras(
    requested: &[i64],
    stored: &[i64],
    grantable: &[(i64, String)],
    all_of_user: &BTreeSet<i64>,
) -> Result<Vec<i64>, AppError> {
    let can: BTreeSet<i64> = grantable.iter().map(|(c, _)| *c).collect();
    if let Some(bad) = requested.iter().find(|c| !can.contains(c)) {
        let sentence = td_string!(current(), client.err_camera_not_yours, camera = bad);
        return Err(AppError::field("camera_ids", sentence.to_string()));
    }
    let kept = stored.iter().filter(|c| all_of_user.contains(c) && !can.contains(c));
    Ok(requested.iter().chain(kept).copied().collect::<BTreeSet<_>>().into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::SUBUSERS_MANAGE;

    #[test]
    fn a_create_needs_every_field_and_names_each_bad_one() {
        let err = SubUserInput::default().check(true).unwrap_err();
        let AppError::Fields { fields, .. } = err else { panic!("{err:?}") };
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["login", "name", "password", "permissions"]);
        let bad = SubUserInput {
            login: Some("has space".into()),
            name: Some(" ".into()),
            password: Some("short".into()),
            ..Default::default()
        };
        let AppError::Fields { message, fields } = bad.check(false).unwrap_err() else { panic!() };
        assert_eq!(fields.len(), 3);
        // Whole sentences, in English without a page language.
        assert_eq!(
            message,
            "Login must not contain spaces; Name is required: 1-128 characters; Password needs at least 8 characters."
        );
        assert!(SubUserInput::default().check(false).is_ok(), "an update may change nothing");
    }

    #[test]
    fn the_domains_reasons_become_whole_sentences() {
        use crate::domain::permissions::{analytics_slug, NEW_SUB_USER_SLUGS};
        use crate::lang::labels::{login_problem_in, refusal_in};
        use crate::lang::Locale;
        let ru = |login: &str| login_problem_in(Locale::ru, login_problem(login).unwrap());
        assert_eq!(ru(""), "Логин должен содержать от 1 до 64 символов");
        assert_eq!(ru("a b"), "Логин не должен содержать пробелов");
        let (face, live) = (analytics_slug("face"), NEW_SUB_USER_SLUGS[0].to_string());
        let requested = vec!["marks-burn".to_string(), SUBUSERS_MANAGE.to_string(), face.clone(), live.clone()];
        let refused = check_sub_user_grant(&requested, &[], &[], &BTreeSet::new()).unwrap_err();
        let sentences: Vec<String> = refused.iter().map(|(slug, why)| refusal_in(Locale::ru, slug, *why)).collect();
        assert_eq!(
            sentences,
            [
                "Неизвестное разрешение marks-burn".to_string(),
                format!("Разрешение {SUBUSERS_MANAGE} не выдаётся субпользователям"),
                format!("Для разрешения {face} у основного пользователя должны быть лицензии аналитики уровня 3"),
                format!("У основного пользователя нет разрешения {live}"),
            ]
        );
        let en: Vec<String> = refused.iter().map(|(slug, why)| refusal_in(Locale::en, slug, *why)).collect();
        assert_eq!(en[2], format!("{face} needs the parent user to hold level 3 analytics licences"));
    }

    #[test]
    fn cameras_must_be_grantable_and_hidden_ones_are_kept() {
        let grantable = vec![(1, "a".to_string()), (2, "b".to_string())];
        let all: BTreeSet<i64> = [1, 2, 3].into();
        assert_eq!(cameras(&[2, 1, 2], &[], &grantable, &all).unwrap(), vec![1, 2]);
        assert!(cameras(&[3], &[], &grantable, &all).is_err(), "outside what the caller may give");
        // Camera 3 is the user's but hidden from the caller: a save keeps it; 9 is no longer the user's.
        assert_eq!(cameras(&[1], &[2, 3, 9], &grantable, &all).unwrap(), vec![1, 3]);
    }
}
