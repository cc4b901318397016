//! TEMPORARY shim of the lead's session helpers (not committed).
use crate::harness::*;

pub trait Users {
    fn user(&self, email: &str, role: &str, password: &str);
}
impl Users for Test {
    fn user(&self, _: &str, _: &str, _: &str) {}
}
pub trait Login {
    fn login(&self, email: &str, password: &str) -> Session<'_>;
}
impl Login for Served {
    fn login(&self, email: &str, _: &str) -> Session<'_> {
        Session { s: self, committee: email.starts_with("comite") }
    }
}
pub struct Session<'a> {
    s: &'a Served,
    committee: bool,
}
impl Session<'_> {
    fn h(&self) -> Vec<(&'static str, &'static str)> {
        if self.committee { vec![("x-stub-committee", "1")] } else { vec![] }
    }
    pub fn get(&self, path: &str) -> Response {
        self.s.request_with("GET", path, &self.h(), b"")
    }
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body: Vec<String> = std::iter::once(("csrf", "stub"))
            .chain(fields.iter().copied())
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    v.bytes()
                        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                        .collect::<String>()
                )
            })
            .collect();
        let mut h = self.h();
        h.push(("content-type", "application/x-www-form-urlencoded"));
        self.s.request_with("POST", path, &h, body.join("&").as_bytes())
    }
}
