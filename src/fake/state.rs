//! The fake account and its state machine: what exists, what each call changes,
//! and how operations progress with time.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use super::faults::Faults;
use crate::computing::{
    BlockDevice, Details, Image, ImageType, Instance, InstanceState, Interface, Network, Operation,
    Password, Product, Size, check_network_name,
};
use crate::encode::Fields;
use crate::loadbalancer::LoadBalancer;

/// An instance as the fake serves it: the stored model (whose detail fields stay
/// empty) plus the details a request asked for.
#[derive(Debug, serde::Serialize)]
pub(crate) struct InstanceView<'a> {
    #[serde(flatten)]
    model: &'a Instance,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<Vec<&'a Operation>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpsimage: Option<&'a Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gross_cost_per_hour: Option<f64>,
}

/// An error answer: status and the JSON `description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: u16,
    pub description: String,
}

pub(crate) fn fail<T>(status: u16, description: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        status,
        description: description.into(),
    })
}

pub(crate) const OWNER: &str = "alice";

/// How long each operation takes at speed 1, in fake seconds.
fn base_duration(kind: &OpKind) -> Duration {
    Duration::from_secs(match kind {
        OpKind::Install => 60,
        OpKind::Stop | OpKind::Start => 10,
        OpKind::ForceStop => 2,
        OpKind::Backup { .. } => 30,
    })
}

#[derive(Debug, Clone)]
enum OpKind {
    Install,
    Stop,
    ForceStop,
    Start,
    Backup { name: String },
}

impl OpKind {
    fn code(&self) -> i64 {
        match self {
            OpKind::Install => 3,
            OpKind::Stop => 5,
            OpKind::ForceStop => 6,
            OpKind::Start => 4,
            OpKind::Backup { .. } => 8,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            OpKind::Install => "Create_Install",
            OpKind::Stop => "Stop",
            OpKind::ForceStop => "Force_Stop",
            OpKind::Start => "Start",
            OpKind::Backup { .. } => "Backup",
        }
    }
}

/// An operation queued or running on an instance.
#[derive(Debug)]
struct Pending {
    /// Index of its record in `FakeInstance::ops`.
    op: usize,
    kind: OpKind,
    duration: Duration,
    started: Option<SystemTime>,
    /// Ends with a failure code and no effect (an injected fault).
    fails: bool,
}

#[derive(Debug)]
struct FakeInstance {
    /// Served as it is, with the detail fields filled in per request.
    model: Instance,
    ops: Vec<Operation>,
    queue: VecDeque<Pending>,
    disks: Vec<BlockDevice>,
    cost_per_hour: f64,
}

/// A deterministic source of UUIDs, MACs and addresses, so runs are repeatable.
#[derive(Debug)]
pub(super) struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        // xorshift64*: good enough to look random, fully repeatable.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(super) fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    fn mac(&mut self) -> String {
        let n = self.next();
        format!(
            "e6:95:{:02x}:{:02x}:{:02x}:{:02x}",
            (n >> 24) & 0xff,
            (n >> 16) & 0xff,
            (n >> 8) & 0xff,
            n & 0xff
        )
    }
}

/// Everything the fake account holds.
#[derive(Debug)]
pub(crate) struct Account {
    networks: Vec<Network>,
    images: Vec<Image>,
    instances: Vec<FakeInstance>,
    products: Vec<Product>,
    /// The load balancers (see `balancers.rs`).
    pub(super) balancers: Vec<LoadBalancer>,
    /// Next host number handed out in each network, by network index.
    next_host: Vec<u32>,
    pub(super) ids: Ids,
    /// Operations take `base_duration / speed`.
    speed: f64,
    faults: Faults,
}

/// `2026-12-01 10:38:30 +0000 (UTC)`, the API's time format, from the HTTP date
/// (`Tue, 01 Dec 2026 10:38:30 GMT`) so no calendar code is needed here.
pub(crate) fn api_time(t: SystemTime) -> String {
    let http = httpdate::fmt_http_date(t);
    let parts: Vec<&str> = http.split(' ').collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])
    .map_or(0, |i| i + 1);
    format!(
        "{}-{month:02}-{} {} +0000 (UTC)",
        parts[3], parts[1], parts[4]
    )
}

/// The gross cost per hour of a size.
fn hourly_gross(size: Size) -> f64 {
    match size.as_str() {
        "0.25" => 0.0083,
        "0.5" => 0.0166,
        "cpuhog" => 0.1845,
        "cpuhog4" => 0.369,
        standard if size.is_standard() => {
            let n: f64 = standard.trim_end_matches('s').parse().unwrap_or(1.0);
            0.0246 * n
        }
        units => 0.03321 * units.parse::<f64>().unwrap_or(1.0),
    }
}

/// Default disk of a size in GB (standard sizes take theirs from the request).
fn default_disk_gb(size: Size) -> f64 {
    match size.as_str() {
        "cpuhog" => 40.0,
        "cpuhog4" => 160.0,
        units => (units.parse::<f64>().unwrap_or(1.0) * 10.0).max(5.0),
    }
}

fn products() -> Vec<Product> {
    Size::all()
        .enumerate()
        .map(|(i, size)| {
            let gross = hourly_gross(size);
            let net = (gross / 1.23 * 1e5).round() / 1e5;
            let units = size
                .as_str()
                .trim_end_matches('s')
                .parse::<f64>()
                .unwrap_or(4.0);
            let name = match size.as_str() {
                s if size.is_standard() => format!("{}S", s.trim_end_matches('s')),
                s if s.starts_with("cpuhog") => s.to_owned(),
                s => format!("{s}U"),
            };
            Product {
                id: i as u64 + 1,
                name,
                api_name: size.as_str().to_owned(),
                product_group: if size.is_standard() {
                    "STANDARD".to_owned()
                } else {
                    "PRO".to_owned()
                },
                cpu_cores: units.ceil().max(1.0) as u32,
                cpu_units: Some(size.as_str().trim_end_matches('s').to_owned()),
                mem_gb: units,
                disk_gb: if size.is_standard() {
                    0.0
                } else {
                    default_disk_gb(size)
                },
                srv_size: Some(size.as_str().to_owned()),
                sort_by: format!("{:04}", i + 1),
                hourly_net_cost: net,
                hourly_gross_cost: gross,
                monthly_net_cost: (net * 720.0 * 100.0).round() / 100.0,
                monthly_gross_cost: (gross * 720.0 * 100.0).round() / 100.0,
            }
        })
        .collect()
}

fn network(uuid: &str, name: &str, net: &str, owner: &str, domain: &str, public: bool) -> Network {
    Network {
        uuid: uuid.to_owned(),
        name: name.to_owned(),
        net: net.to_owned(),
        owner: owner.to_owned(),
        domainname: domain.to_owned(),
        public,
    }
}

fn system_image(uuid: &str, name: &str, description: &str) -> Image {
    Image {
        uuid: uuid.to_owned(),
        name: name.to_owned(),
        owner: "system".to_owned(),
        image_type: Some(ImageType::Image),
        is_public: true,
        description: description.to_owned(),
        create_time: "2024-06-10 12:00:00 +0200 (UTC)".to_owned(),
        ..Image::default()
    }
}

/// The seeded instances: hostname, UUID, size, running.
const SEED_INSTANCES: [(&str, &str, &str, bool); 4] = [
    ("node-1", "71717dfb-3e86-487f-bcf0-01f6856d6bcd", "4", true),
    ("node-2", "2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7081", "4", true),
    ("node-3", "1a2b3c4d-5e6f-4718-9a0b-c1d2e3f4a5b6", "4", false),
    ("db-1", "3c4d5e6f-7081-492a-9b3c-4d5e6f708192", "8", true),
];

/// The Debian image every seeded instance runs.
pub(crate) const DEBIAN: &str = "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934";
const PUBLIC_NET: &str = "e92e60c2-2993-4a0c-b635-c5e2b2462c7a";
const PRIVATE_NET: &str = "5b1f4c0e-8a8e-4a53-9b0b-3f1d2c9e7a10";

impl Account {
    /// A realistic account: a public and a private network, system images, a
    /// backup, and node-1, node-2, node-3 (stopped) and db-1.
    pub(crate) fn seeded(now: SystemTime, speed: f64, faults: Faults) -> Self {
        let mut account = Account {
            networks: vec![
                network(
                    PUBLIC_NET,
                    "pub2",
                    "37.233.98.0/24",
                    "system",
                    "p2.tiktalik.com",
                    true,
                ),
                network(
                    PRIVATE_NET,
                    "backend",
                    "10.12.0.0/16",
                    OWNER,
                    "backend.internal",
                    false,
                ),
            ],
            images: vec![
                system_image(DEBIAN, "Debian 12 64-bit", "Debian bookworm"),
                system_image(
                    "c4e5a3d2-1b0f-4e9d-8c7b-6a5f4e3d2c1b",
                    "Ubuntu 24.04 LTS 64-bit",
                    "Ubuntu noble",
                ),
                system_image(
                    "d5f6b4e3-2c1a-4f0e-9d8c-7b6a5f4e3d2c",
                    "Rocky Linux 9 64-bit",
                    "Rocky Linux 9",
                ),
                Image {
                    uuid: "0f6b1a52-7c1e-4b0e-9f52-0d6c2a8f1e01".to_owned(),
                    name: "node-1 nightly".to_owned(),
                    owner: OWNER.to_owned(),
                    image_type: Some(ImageType::Backup),
                    is_public: false,
                    description: String::new(),
                    create_time: "2026-11-30 03:10:00 +0100 (UTC)".to_owned(),
                    source_vps_size: Some("4".to_owned()),
                    source_vps_size_name: Some("4U".to_owned()),
                    source_vps_size_disk: Some(40.0),
                },
            ],
            instances: Vec::new(),
            products: products(),
            balancers: vec![super::balancers::seed()],
            next_host: vec![178, 5],
            ids: Ids(0x7469_6b74_616c_696b),
            speed: if speed > 0.0 { speed } else { 1.0 },
            faults,
        };
        for (hostname, uuid, size, running) in SEED_INSTANCES {
            let size: Size = size.parse().unwrap_or(Size::QUARTER);
            let nets: &[usize] = if hostname.starts_with("node-") {
                &[0, 1]
            } else {
                &[1]
            };
            account.add_installed(uuid.to_owned(), hostname, size, nets, running, now);
        }
        account
    }

    /// Adds `n` running instances named `host-1` .. `host-n`, for load tests.
    pub(crate) fn add_hosts(&mut self, n: usize, now: SystemTime) {
        for i in 1..=n {
            let uuid = self.ids.uuid();
            self.add_installed(uuid, &format!("host-{i}"), Size::HALF, &[0, 1], true, now);
        }
    }

    /// An instance whose install finished at `now`.
    fn add_installed(
        &mut self,
        uuid: String,
        hostname: &str,
        size: Size,
        networks: &[usize],
        running: bool,
        now: SystemTime,
    ) {
        let mut instance = self.new_instance(uuid, hostname, size, DEBIAN, networks, None);
        let record = self.operation(&OpKind::Install, hostname, now);
        instance.ops.push(Operation {
            progress: 100,
            start_time: record.add_time.clone(),
            end_time: record.add_time.clone(),
            end_code: Some(0),
            end_desc: Some("ok".to_owned()),
            ..record
        });
        instance.model.state = Some(if running {
            InstanceState::Running
        } else {
            InstanceState::Stopped
        });
        instance.model.running = running;
        self.instances.push(instance);
    }

    fn operation(&mut self, kind: &OpKind, hostname: &str, now: SystemTime) -> Operation {
        Operation {
            uuid: self.ids.uuid(),
            code: kind.code(),
            description: format!("{}: {hostname}", kind.label()),
            progress: 0,
            add_time: Some(api_time(now)),
            start_time: None,
            end_time: None,
            end_code: None,
            end_desc: None,
            add_source: Some(OWNER.to_owned()),
        }
    }

    fn interface(&mut self, network: usize, seq: u32) -> Interface {
        let net = &self.networks[network];
        let host = self.next_host[network];
        self.next_host[network] += 1;
        let ip = match net
            .net
            .split('/')
            .next()
            .unwrap_or("10.0.0.0")
            .rsplit_once('.')
        {
            // /24: the last octet; /16: spread over the last two.
            Some((prefix, _)) if net.net.ends_with("/24") => format!("{prefix}.{}", host % 250 + 2),
            Some((prefix, _)) => {
                let (prefix, _) = prefix.rsplit_once('.').unwrap_or(("10.0", ""));
                format!("{prefix}.{}.{}", host / 250, host % 250 + 2)
            }
            None => format!("10.0.0.{host}"),
        };
        let network = self.networks[network].clone();
        Interface {
            uuid: self.ids.uuid(),
            ip,
            mac: self.ids.mac(),
            seq,
            network: Some(network),
        }
    }

    fn new_instance(
        &mut self,
        uuid: String,
        hostname: &str,
        size: Size,
        image: &str,
        networks: &[usize],
        disk_gb: Option<u32>,
    ) -> FakeInstance {
        let interfaces = networks
            .iter()
            .zip(0..)
            .map(|(&n, seq)| self.interface(n, seq))
            .collect();
        let service = match size.as_str() {
            s if size.is_standard() => format!("TC_STANDARD_{}", s.to_uppercase()),
            s if s.starts_with("cpuhog") => format!("TC_{}", s.to_uppercase()),
            s => format!("TC_UNIT_{}U", s),
        };
        let disk = self.ids.uuid();
        FakeInstance {
            model: Instance {
                uuid,
                hostname: hostname.to_owned(),
                owner: OWNER.to_owned(),
                vpsimage_uuid: image.to_owned(),
                state: Some(InstanceState::Installing),
                running: false,
                size_name: Some(size.as_str().to_owned()),
                service_name: service,
                default_password: Some(Password(format!("{:010x}", self.ids.next() >> 24))),
                actions_pending_count: 0,
                interfaces,
                actions: None,
                vpsimage: None,
                gross_cost_per_hour: None,
            },
            ops: Vec::new(),
            queue: VecDeque::new(),
            disks: vec![BlockDevice {
                uuid: disk,
                size_gb: disk_gb.map_or_else(|| default_disk_gb(size), f64::from),
                seq: 0,
            }],
            cost_per_hour: hourly_gross(size),
        }
    }

    /// Moves every operation forward to `now`: progress grows, finished operations
    /// take effect, and the next queued one starts where the last one ended.
    pub(crate) fn advance(&mut self, now: SystemTime) {
        let mut backups = Vec::new();
        for instance in &mut self.instances {
            while let Some(pending) = instance.queue.front_mut() {
                let started = *pending.started.get_or_insert(now);
                let op = &mut instance.ops[pending.op];
                if op.start_time.is_none() {
                    op.start_time = Some(api_time(started));
                    if matches!(pending.kind, OpKind::Install) {
                        instance.model.state = Some(InstanceState::Installing);
                        instance.model.running = false;
                    }
                }
                let elapsed = now.duration_since(started).unwrap_or_default();
                if elapsed < pending.duration {
                    let percent = elapsed.as_secs_f64() / pending.duration.as_secs_f64() * 100.0;
                    op.progress = (percent as u32).min(99);
                    break;
                }
                let ended = started + pending.duration;
                op.end_time = Some(api_time(ended));
                let model = &mut instance.model;
                if pending.fails {
                    op.end_code = Some(1);
                    op.end_desc = Some("failed: injected fault".to_owned());
                    instance.queue.pop_front();
                    if let Some(next) = instance.queue.front_mut() {
                        next.started = Some(ended);
                    }
                    continue;
                }
                op.progress = 100;
                op.end_code = Some(0);
                op.end_desc = Some("ok".to_owned());
                match &pending.kind {
                    OpKind::Install | OpKind::Start => {
                        model.state = Some(InstanceState::Running);
                        model.running = true;
                    }
                    OpKind::Stop | OpKind::ForceStop => {
                        model.state = Some(InstanceState::Stopped);
                        model.running = false;
                    }
                    OpKind::Backup { name } => backups.push((
                        name.clone(),
                        model.size_name.clone(),
                        instance.disks.first().map(|d| d.size_gb),
                        ended,
                    )),
                }
                instance.queue.pop_front();
                // The next operation starts when this one ended, not when someone looks.
                if let Some(next) = instance.queue.front_mut() {
                    next.started = Some(ended);
                }
            }
            instance.model.actions_pending_count = instance.queue.len() as u32;
        }
        for (name, size, disk, ended) in backups {
            let uuid = self.ids.uuid();
            let size_name = size.as_deref().map(|s| match s.parse::<Size>() {
                Ok(size) if size.is_standard() => s.to_uppercase(),
                _ => format!("{s}U"),
            });
            self.images.push(Image {
                uuid,
                name,
                owner: OWNER.to_owned(),
                image_type: Some(ImageType::Backup),
                is_public: false,
                description: String::new(),
                create_time: api_time(ended),
                source_vps_size: size,
                source_vps_size_name: size_name,
                source_vps_size_disk: disk,
            });
        }
    }

    fn queue(&mut self, index: usize, kind: OpKind, now: SystemTime) {
        let hostname = self.instances[index].model.hostname.clone();
        let record = self.operation(&kind, &hostname, now);
        let duration = base_duration(&kind).div_f64(self.speed);
        let fails = self.faults.take_operation_failure();
        let instance = &mut self.instances[index];
        instance.ops.push(record);
        instance.queue.push_back(Pending {
            op: instance.ops.len() - 1,
            kind,
            duration,
            started: None,
            fails,
        });
        instance.model.actions_pending_count = instance.queue.len() as u32;
        // An operation on an idle instance starts at once.
        self.advance(now);
    }

    fn instance_index(&self, uuid: &str) -> Result<usize, Failure> {
        self.instances
            .iter()
            .position(|i| i.model.uuid.eq_ignore_ascii_case(uuid))
            .map_or_else(|| fail(404, "Instance not found"), Ok)
    }

    fn network_index(&self, uuid: &str) -> Option<usize> {
        self.networks
            .iter()
            .position(|n| n.uuid.eq_ignore_ascii_case(uuid))
    }

    /// An instance as served, with the details asked for, borrowed from the account
    /// (a listing of thousands is serialized without copying them).
    fn render(&self, index: usize, details: Details) -> InstanceView<'_> {
        let fake = &self.instances[index];
        InstanceView {
            model: &fake.model,
            actions: details
                .actions
                .then(|| fake.ops.iter().rev().take(10).collect()),
            vpsimage: if details.vpsimage {
                self.images
                    .iter()
                    .find(|i| i.uuid == fake.model.vpsimage_uuid)
            } else {
                None
            },
            gross_cost_per_hour: details.cost.then_some(fake.cost_per_hour),
        }
    }

    pub(crate) fn list_instances(&self, details: Details) -> Vec<InstanceView<'_>> {
        (0..self.instances.len())
            .map(|i| self.render(i, details))
            .collect()
    }

    pub(crate) fn get_instance(
        &self,
        uuid: &str,
        details: Details,
    ) -> Result<InstanceView<'_>, Failure> {
        Ok(self.render(self.instance_index(uuid)?, details))
    }

    /// Creates an instance from the form fields of `POST /instance`.
    pub(crate) fn create_instance(
        &mut self,
        form: &Fields,
        now: SystemTime,
    ) -> Result<InstanceView<'_>, Failure> {
        let hostname = match form.get("hostname") {
            Some(h) if !h.trim().is_empty() => h.to_owned(),
            _ => return fail(400, "Parameter hostname is required"),
        };
        let size: Size = match form.get("size").map(str::parse) {
            Some(Ok(size)) => size,
            Some(Err(_)) => {
                return fail(
                    400,
                    format!("Invalid size: {}", form.get("size").unwrap_or("")),
                );
            }
            None => return fail(400, "Parameter size is required"),
        };
        let disk = match form.get("disk_size_gb").map(str::parse::<u32>) {
            None => None,
            Some(Ok(gb)) if gb > 0 => Some(gb),
            Some(_) => return fail(400, "Invalid disk_size_gb"),
        };
        if size.is_standard() && disk.is_none() {
            return fail(400, format!("Size {size} requires disk_size_gb"));
        }
        let image = form.get("image_uuid").unwrap_or("");
        if !self
            .images
            .iter()
            .any(|i| i.uuid.eq_ignore_ascii_case(image))
        {
            return fail(400, format!("Unknown image: {image}"));
        }
        let mut networks = Vec::new();
        for uuid in form.all("networks[]") {
            let index = if uuid == "auto" {
                Some(0)
            } else {
                self.network_index(uuid)
            };
            match index {
                Some(i) if !networks.contains(&i) => networks.push(i),
                Some(_) => return fail(400, format!("Network given twice: {uuid}")),
                None => return fail(400, format!("Unknown network: {uuid}")),
            }
        }
        let uuid = self.ids.uuid();
        let instance = self.new_instance(uuid, &hostname, size, image, &networks, disk);
        self.instances.push(instance);
        let index = self.instances.len() - 1;
        self.queue(index, OpKind::Install, now);
        Ok(self.render(index, Details::default()))
    }

    pub(crate) fn delete_instance(&mut self, uuid: &str) -> Result<(), Failure> {
        let index = self.instance_index(uuid)?;
        self.instances.remove(index);
        Ok(())
    }

    /// start, stop, force_stop, install or backup.
    pub(crate) fn instance_action(
        &mut self,
        uuid: &str,
        action: &str,
        form: &Fields,
        now: SystemTime,
    ) -> Result<(), Failure> {
        let index = self.instance_index(uuid)?;
        let model = &self.instances[index].model;
        let idle = self.instances[index].queue.is_empty();
        let stopped = model.state == Some(InstanceState::Stopped) && !model.running;
        let kind = match action {
            "start" => OpKind::Start,
            "stop" => OpKind::Stop,
            "force_stop" => OpKind::ForceStop,
            "install" => OpKind::Install,
            "backup" => {
                if !(stopped && idle) {
                    return fail(400, "Instance must be stopped to make a backup");
                }
                let name = form
                    .get("backup_name")
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{} backup", model.hostname));
                OpKind::Backup { name }
            }
            _ => return fail(404, "Not found"),
        };
        self.queue(index, kind, now);
        Ok(())
    }

    pub(crate) fn list_interfaces(&self, uuid: &str) -> Result<Vec<Interface>, Failure> {
        Ok(self.instances[self.instance_index(uuid)?]
            .model
            .interfaces
            .clone())
    }

    pub(crate) fn add_interface(&mut self, uuid: &str, form: &Fields) -> Result<(), Failure> {
        let index = self.instance_index(uuid)?;
        let Some(network) = form.get("network_uuid").and_then(|u| self.network_index(u)) else {
            return fail(
                400,
                format!(
                    "Unknown network: {}",
                    form.get("network_uuid").unwrap_or("")
                ),
            );
        };
        let Some(seq) = form
            .get("seq")
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|seq| *seq <= crate::computing::MAX_INTERFACE_SEQ)
        else {
            return fail(
                400,
                "Parameter seq must be an interface number from 0 to 31",
            );
        };
        let interfaces = &self.instances[index].model.interfaces;
        if interfaces.iter().any(|i| i.seq == seq) {
            return fail(400, format!("Interface eth{seq} already exists"));
        }
        let interface = self.interface(network, seq);
        let interfaces = &mut self.instances[index].model.interfaces;
        interfaces.push(interface);
        interfaces.sort_by_key(|i| i.seq);
        Ok(())
    }

    pub(crate) fn remove_interface(&mut self, uuid: &str, interface: &str) -> Result<(), Failure> {
        let index = self.instance_index(uuid)?;
        let interfaces = &mut self.instances[index].model.interfaces;
        let before = interfaces.len();
        interfaces.retain(|i| !i.uuid.eq_ignore_ascii_case(interface));
        if interfaces.len() == before {
            return fail(404, "Interface not found");
        }
        Ok(())
    }

    pub(crate) fn block_devices(&self, uuid: &str) -> Result<Vec<BlockDevice>, Failure> {
        Ok(self.instances[self.instance_index(uuid)?].disks.clone())
    }

    pub(crate) fn list_images(&self) -> &[Image] {
        &self.images
    }

    fn image_index(&self, uuid: &str) -> Result<usize, Failure> {
        self.images
            .iter()
            .position(|i| i.uuid.eq_ignore_ascii_case(uuid))
            .map_or_else(|| fail(404, "Image not found"), Ok)
    }

    pub(crate) fn get_image(&self, uuid: &str) -> Result<Image, Failure> {
        Ok(self.images[self.image_index(uuid)?].clone())
    }

    fn own_image(&self, uuid: &str) -> Result<usize, Failure> {
        let index = self.image_index(uuid)?;
        if self.images[index].owner != OWNER {
            return fail(403, "Only your own images can be changed");
        }
        Ok(index)
    }

    pub(crate) fn delete_image(&mut self, uuid: &str) -> Result<(), Failure> {
        let index = self.own_image(uuid)?;
        self.images.remove(index);
        Ok(())
    }

    pub(crate) fn rename_image(&mut self, uuid: &str, form: &Fields) -> Result<(), Failure> {
        let index = self.own_image(uuid)?;
        match form.get("image_name") {
            Some(name) if !name.trim().is_empty() => {
                self.images[index].name = name.to_owned();
                Ok(())
            }
            _ => fail(400, "Parameter image_name is required"),
        }
    }

    pub(crate) fn list_networks(&self) -> &[Network] {
        &self.networks
    }

    pub(crate) fn get_network(&self, uuid: &str) -> Result<Network, Failure> {
        self.network_index(uuid).map_or_else(
            || fail(404, "Network not found"),
            |i| Ok(self.networks[i].clone()),
        )
    }

    pub(crate) fn create_network(&mut self, form: &Fields) -> Result<Network, Failure> {
        let name = form.get("name").unwrap_or("");
        if let Err(e) = check_network_name(name) {
            return fail(400, e.to_string());
        }
        if self.networks.iter().any(|n| n.name == name) {
            return fail(400, format!("A network named {name} already exists"));
        }
        let octet = 12 + self.networks.len();
        let created = network(
            &self.ids.uuid(),
            name,
            &format!("10.{octet}.0.0/16"),
            OWNER,
            &format!("{name}.internal"),
            false,
        );
        self.networks.push(created.clone());
        self.next_host.push(5);
        Ok(created)
    }

    pub(crate) fn list_products(&self) -> &[Product] {
        &self.products
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a client would decode from the served instance.
    fn get(account: &Account, uuid: &str, details: Details) -> Instance {
        let view = account.get_instance(uuid, details).unwrap();
        serde_json::from_value(serde_json::to_value(view).unwrap()).unwrap()
    }

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    #[test]
    fn api_time_format() {
        assert_eq!(api_time(t(0)), "2027-01-15 08:00:00 +0000 (UTC)");
    }

    #[test]
    fn uuids_are_well_formed_and_distinct() {
        let mut ids = Ids(1);
        let a = ids.uuid();
        let b = ids.uuid();
        assert_ne!(a, b);
        for u in [a, b] {
            assert!(crate::encode::check_uuid("uuid", &u).is_ok(), "{u}");
        }
    }

    #[test]
    fn install_progresses_then_runs() {
        let mut account = Account::seeded(t(0), 1.0, Faults::default());
        let form = crate::encode::Form::new()
            .field("hostname", "web-123")
            .field("size", "4")
            .field("image_uuid", DEBIAN)
            .field("networks[]", "auto");
        let form = crate::encode::Form::parse(form.as_str().as_bytes());
        let created = account.create_instance(&form, t(0)).unwrap();
        let created: Instance =
            serde_json::from_value(serde_json::to_value(created).unwrap()).unwrap();
        assert_eq!(created.state, Some(InstanceState::Installing));
        assert_eq!(created.actions_pending_count, 1);
        account.advance(t(30));
        let half = get(&account, &created.uuid, Details::all());
        assert_eq!(half.actions.unwrap()[0].progress, 50);
        account.advance(t(60));
        let done = get(&account, &created.uuid, Details::none());
        assert!(done.is_running());
        assert_eq!(done.actions_pending_count, 0);
    }

    #[test]
    fn queued_operations_chain_in_fake_time() {
        let mut account = Account::seeded(t(0), 1.0, Faults::default());
        let node1 = "71717dfb-3e86-487f-bcf0-01f6856d6bcd";
        account
            .instance_action(node1, "stop", &Fields::default(), t(0))
            .unwrap();
        account
            .instance_action(node1, "start", &Fields::default(), t(1))
            .unwrap();
        // stop ends at 10 s, start runs 10..20 s: at 25 s both are done.
        account.advance(t(25));
        let i = get(&account, node1, Details::all());
        assert!(i.is_running());
        assert!(i.actions.unwrap().iter().all(Operation::is_finished));
    }
}
