//! The fake's load balancers: the `/api/v1/loadbalancer` calls on the account,
//! checked with the same rules the client checks before sending.

use std::time::SystemTime;

use super::state::{Account, Failure, api_time, fail};
use crate::encode::{Fields, check_hostname};
use crate::loadbalancer::{
    Backend, BackendInfo, BalancerStatus, BalancerType, CheckType, HistoryEntry, LoadBalancer,
    Monitor, NewLoadBalancer, check_name,
};

/// The balancer of the sample payloads: `web`, HTTP, one backend.
pub(super) fn seed() -> LoadBalancer {
    LoadBalancer {
        uuid: "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8".to_owned(),
        name: "web".to_owned(),
        status: Some(BalancerStatus::Enabled),
        balancer_type: Some(BalancerType::Http),
        address: "lb-4e5f6a7b.tiktalik.com".to_owned(),
        port: Some(80),
        domains: vec!["example.com".to_owned(), "www.example.com".to_owned()],
        backends: vec![BackendInfo {
            uuid: "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9".to_owned(),
            ip: "10.12.0.5".to_owned(),
            port: 80,
            weight: 10,
        }],
        monitor: Some(monitor(&BalancerType::Http)),
        history: Some(vec![HistoryEntry {
            time: "2026-12-01 10:00:00 +0100 (UTC)".to_owned(),
            auth: "apikey".to_owned(),
            ip: "203.0.113.7".to_owned(),
            action: "add_backend".to_owned(),
            arguments: "10.12.0.5:80:10".to_owned(),
        }]),
    }
}

fn monitor(kind: &BalancerType) -> Monitor {
    if *kind == BalancerType::Tcp {
        Monitor {
            check_type: Some(CheckType::Tcp),
            interval_ms: 5000,
            timeout_ms: 2000,
            ..Monitor::default()
        }
    } else {
        Monitor {
            check_type: Some(CheckType::Http),
            interval_ms: 5000,
            timeout_ms: 2000,
            http_method: Some("GET".to_owned()),
            http_path: Some("/".to_owned()),
            http_expect_alive: vec!["200".to_owned()],
        }
    }
}

/// An SDK validation error as the fake's 400.
fn bad(e: crate::Error) -> Failure {
    Failure {
        status: 400,
        description: e.to_string(),
    }
}

fn parse_backends<'a>(values: impl Iterator<Item = &'a str>) -> Result<Vec<Backend>, Failure> {
    values.map(|b| b.parse::<Backend>().map_err(bad)).collect()
}

impl Account {
    fn balancer(&mut self, uuid: &str) -> Result<&mut LoadBalancer, Failure> {
        match self
            .balancers
            .iter_mut()
            .find(|b| b.uuid.eq_ignore_ascii_case(uuid))
        {
            Some(balancer) => Ok(balancer),
            None => fail(404, "Load balancer not found"),
        }
    }

    fn backend_info(&mut self, backend: Backend) -> BackendInfo {
        BackendInfo {
            uuid: self.ids.uuid(),
            ip: backend.ip().to_string(),
            port: backend.port(),
            weight: backend.weight(),
        }
    }

    pub(crate) fn list_balancers(&self, history: bool) -> Vec<LoadBalancer> {
        self.balancers
            .iter()
            .cloned()
            .map(|mut b| {
                if !history {
                    b.history = None;
                }
                b
            })
            .collect()
    }

    pub(crate) fn get_balancer(&mut self, uuid: &str) -> Result<LoadBalancer, Failure> {
        self.balancer(uuid).cloned()
    }

    /// `POST /api/v1/loadbalancer`: the form is rebuilt into the client's
    /// `NewLoadBalancer` so both sides enforce one set of rules.
    pub(crate) fn create_balancer(
        &mut self,
        form: &Fields,
        now: SystemTime,
    ) -> Result<LoadBalancer, Failure> {
        let kind = BalancerType::from(form.get("type").unwrap_or(""));
        let mut spec = NewLoadBalancer::new(form.get("name").unwrap_or(""), kind.clone())
            .backends(parse_backends(form.all("backends[]"))?)
            .domains(form.all("domains[]"));
        if let Some(address) = form.get("address") {
            spec = spec.address(address);
        }
        let port = match form.get("port").map(str::parse::<u16>) {
            None => None,
            Some(Ok(port)) => Some(port),
            Some(Err(_)) => return fail(400, "Invalid port: use 1 to 65535"),
        };
        if let Some(port) = port {
            spec = spec.port(port);
        }
        spec.to_form().map_err(bad)?;
        let uuid = self.ids.uuid();
        let backends = parse_backends(form.all("backends[]"))?;
        let default_port = match kind {
            BalancerType::Https => 443,
            BalancerType::Tcp => backends[0].port(),
            _ => 80,
        };
        let backends = backends.into_iter().map(|b| self.backend_info(b)).collect();
        let balancer = LoadBalancer {
            name: form.get("name").unwrap_or_default().to_owned(),
            status: Some(BalancerStatus::Enabled),
            address: form
                .get("address")
                .map_or_else(|| format!("lb-{}.tiktalik.com", &uuid[..8]), str::to_owned),
            port: Some(port.unwrap_or(default_port)),
            domains: form.all("domains[]").map(str::to_owned).collect(),
            backends,
            monitor: Some(monitor(&kind)),
            balancer_type: Some(kind),
            history: Some(Vec::new()),
            uuid,
        };
        self.balancers.push(balancer);
        let created = self.balancers.len() - 1;
        let name = self.balancers[created].name.clone();
        record(&mut self.balancers[created], now, "create", &name);
        Ok(self.balancers[created].clone())
    }

    pub(crate) fn delete_balancer(&mut self, uuid: &str) -> Result<(), Failure> {
        self.balancer(uuid)?;
        self.balancers
            .retain(|b| !b.uuid.eq_ignore_ascii_case(uuid));
        Ok(())
    }

    /// Every change to one balancer: enable, disable, rename, domains, backends.
    pub(crate) fn change_balancer(
        &mut self,
        method: &str,
        uuid: &str,
        rest: &[&str],
        form: &Fields,
        now: SystemTime,
    ) -> Result<(), Failure> {
        let kind = self.balancer(uuid)?.balancer_type.clone();
        let routes_domains = kind != Some(BalancerType::Tcp);
        let (action, arguments) = match (method, rest) {
            ("POST", ["enable"]) => {
                self.balancer(uuid)?.status = Some(BalancerStatus::Enabled);
                ("enable", String::new())
            }
            ("POST", ["disable"]) => {
                self.balancer(uuid)?.status = Some(BalancerStatus::Disabled);
                ("disable", String::new())
            }
            ("PUT", ["name"]) => {
                let name = check_name(form.get("name").unwrap_or("")).map_err(bad)?;
                self.balancer(uuid)?.name = name.to_owned();
                ("rename", name.to_owned())
            }
            (_, ["domain", ..]) if !routes_domains => {
                return fail(400, "Domains apply to HTTP and HTTPS balancers only");
            }
            ("POST", ["domain"]) => {
                let domains: Vec<String> = form.all("domains[]").map(str::to_owned).collect();
                for domain in &domains {
                    check_hostname("domain", domain).map_err(bad)?;
                }
                let arguments = domains.join(",");
                self.balancer(uuid)?.domains = domains;
                ("set_domains", arguments)
            }
            ("PUT", ["domain"]) => {
                let domain =
                    check_hostname("domain", form.get("domain").unwrap_or("")).map_err(bad)?;
                let balancer = self.balancer(uuid)?;
                if balancer.domains.iter().any(|d| d == domain) {
                    return fail(400, format!("Domain {domain} is already served"));
                }
                balancer.domains.push(domain.to_owned());
                ("add_domain", domain.to_owned())
            }
            ("DELETE", ["domain", domain]) => {
                let balancer = self.balancer(uuid)?;
                let before = balancer.domains.len();
                balancer.domains.retain(|d| d != domain);
                if balancer.domains.len() == before {
                    return fail(404, "Domain not found");
                }
                ("remove_domain", (*domain).to_owned())
            }
            ("POST", ["backend"]) => {
                let backends = parse_backends(form.all("backends[]"))?;
                if backends.is_empty() {
                    return fail(400, "A balancer needs at least one backend");
                }
                let arguments = form.all("backends[]").collect::<Vec<_>>().join(",");
                let infos = backends.into_iter().map(|b| self.backend_info(b)).collect();
                self.balancer(uuid)?.backends = infos;
                ("set_backends", arguments)
            }
            ("PUT", ["backend"]) => {
                let backend: Backend = form.get("backend").unwrap_or("").parse().map_err(bad)?;
                let info = self.backend_info(backend);
                let balancer = self.balancer(uuid)?;
                if balancer.backend_at(&info.ip, info.port).is_some() {
                    return fail(
                        400,
                        format!("Backend {}:{} already exists", info.ip, info.port),
                    );
                }
                balancer.backends.push(info);
                ("add_backend", backend.to_string())
            }
            ("DELETE", ["backend", backend]) => {
                let balancer = self.balancer(uuid)?;
                let Some(index) = balancer
                    .backends
                    .iter()
                    .position(|b| b.uuid.eq_ignore_ascii_case(backend))
                else {
                    return fail(404, "Backend not found");
                };
                if balancer.backends.len() == 1 {
                    return fail(400, "A balancer needs at least one backend");
                }
                balancer.backends.remove(index);
                ("remove_backend", (*backend).to_owned())
            }
            ("PUT", ["backend", backend]) => {
                let current = {
                    let balancer = self.balancer(uuid)?;
                    let Some(found) = balancer
                        .backends
                        .iter()
                        .find(|b| b.uuid.eq_ignore_ascii_case(backend))
                    else {
                        return fail(404, "Backend not found");
                    };
                    found.clone()
                };
                if form.pairs().is_empty() {
                    return fail(400, "Nothing to change: give ip, port or weight");
                }
                let changed = format!(
                    "{}:{}:{}",
                    form.get("ip").unwrap_or(&current.ip),
                    form.get("port")
                        .map_or_else(|| current.port.to_string(), str::to_owned),
                    form.get("weight")
                        .map_or_else(|| current.weight.to_string(), str::to_owned),
                );
                let changed: Backend = changed.parse().map_err(bad)?;
                let balancer = self.balancer(uuid)?;
                if let Some(b) = balancer
                    .backends
                    .iter_mut()
                    .find(|b| b.uuid == current.uuid)
                {
                    b.ip = changed.ip().to_string();
                    b.port = changed.port();
                    b.weight = changed.weight();
                }
                ("modify_backend", changed.to_string())
            }
            _ => return fail(404, "Not found"),
        };
        record(self.balancer(uuid)?, now, action, &arguments);
        Ok(())
    }
}

fn record(balancer: &mut LoadBalancer, now: SystemTime, action: &str, arguments: &str) {
    balancer
        .history
        .get_or_insert_with(Vec::new)
        .push(HistoryEntry {
            time: api_time(now),
            auth: "apikey".to_owned(),
            ip: "127.0.0.1".to_owned(),
            action: action.to_owned(),
            arguments: arguments.to_owned(),
        });
}
