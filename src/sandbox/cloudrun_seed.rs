//! The services the sandbox starts with: dev, staging and prod of the seeds' service, each with
//! a few past revisions and everything a real service carries (a sidecar before the ingress
//! container, env, a secret, a volume, scaling, labels). dev and staging are deployed the
//! ordinary way (`gcloud run deploy`: LATEST traffic, `template.revision` filled in); prod is
//! pinned to a revision, the one before tagged `previous`, as after a canary.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{Map, Value, json};

use super::clock::{Rng, SimClock};
use super::cloudrun_sim::{CloudRunSim, IMAGE_REPO, SimService, resolve_traffic};
use crate::providers::cloudrun_wire::{RevisionTemplate, TRAFFIC_LATEST, TrafficTarget};

/// The template of a service running `image` (the ingress container declares `ports`).
pub fn template(env: &str, image: &str) -> RevisionTemplate {
    serde_json::from_value(json!({
        "containers": [
            {
                "name": "otel-collector",
                "image": "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.1.1",
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "cpuIdle": true}
            },
            {
                "name": "app",
                "image": image,
                "ports": [{"name": "http1", "containerPort": 8080}],
                "env": [
                    {"name": "APP_ENV", "value": env},
                    {"name": "DATABASE_PASSWORD", "valueSource": {"secretKeyRef": {"secret": "db-password", "version": "latest"}}}
                ],
                "resources": {"limits": {"cpu": "1000m", "memory": "512Mi"}, "cpuIdle": true, "startupCpuBoost": true},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/clarity"}],
                "dependsOn": ["otel-collector"],
                "startupProbe": {"timeoutSeconds": 240, "periodSeconds": 240, "failureThreshold": 1, "tcpSocket": {"port": 8080}}
            }
        ],
        "volumes": [{"name": "config", "secret": {"secret": "clarity-config", "items": [{"path": "app.yaml", "version": "latest"}]}}],
        "scaling": {"minInstanceCount": 1, "maxInstanceCount": 20},
        "serviceAccount": format!("clarity-{env}@clarity-sandbox.iam.gserviceaccount.com"),
        "timeout": "300s",
        "maxInstanceRequestConcurrency": 80,
        "executionEnvironment": "EXECUTION_ENVIRONMENT_GEN2"
    }))
    .unwrap_or_default()
}

fn fields(env: &str) -> Map<String, Value> {
    let value = json!({
        "labels": {"team": "clarity", "env": env},
        "annotations": {"run.googleapis.com/description": "Clarity backend"},
        "client": "gcloud",
        "clientVersion": "502.0.0",
        "ingress": "INGRESS_TRAFFIC_ALL",
        "launchStage": "GA"
    });
    value.as_object().cloned().unwrap_or_default()
}

impl CloudRunSim {
    pub fn seeded(project: &str, region: &str, base_uri: &str, clock: &SimClock, rng: Rng) -> Self {
        let now = clock.now();
        let mut sim = CloudRunSim {
            services: BTreeMap::new(),
            patch_log: Vec::new(),
            operations: BTreeMap::new(),
            rng,
            clock: *clock,
        };
        let histories: [(&str, &[&str]); 3] = [
            ("dev", &["1.3.9", "1.4.0", "1.4.1", "1.4.2"]),
            ("staging", &["1.3.9", "1.4.0", "1.4.1"]),
            ("prod", &["1.3.8", "1.3.9", "1.4.0"]),
        ];
        for (env, versions) in histories {
            let short = format!("clarity-backend-{env}");
            let mut service = SimService {
                name: format!("projects/{project}/locations/{region}/services/{short}"),
                uid: format!("{:08x}-sim-{env}", sim.rng.next_u64() as u32),
                uri: format!("{base_uri}/apps/{short}"),
                created: now - Duration::days(90),
                updated: now - Duration::hours(5),
                generation: 0,
                observed_generation: 0,
                template: RevisionTemplate::default(),
                fields: fields(env),
                revisions: Vec::new(),
                traffic: Vec::new(),
                serving: Vec::new(),
                failure: None,
                pending: None,
                next_revision: 1,
                short,
            };
            let count = versions.len() as i64;
            for (i, version) in versions.iter().enumerate() {
                service.generation += 1;
                let t = template(env, &format!("{IMAGE_REPO}:{version}"));
                let created = now - Duration::days(3 * (count - i as i64));
                let revision = sim.new_revision(&mut service, &t, created);
                service.template = revision.template.clone();
                service.revisions.push(revision);
            }
            let names: Vec<String> = service.revisions.iter().map(|r| r.name.clone()).collect();
            service.traffic = match (env, names.as_slice()) {
                ("prod", [.., previous, latest]) => vec![
                    TrafficTarget::to_revision(latest, 100),
                    TrafficTarget {
                        tag: Some("previous".into()),
                        percent: None,
                        ..TrafficTarget::to_revision(previous, 0)
                    },
                ],
                // `gcloud run deploy`: everything to the latest ready revision, no name.
                _ => vec![TrafficTarget {
                    kind: Some(TRAFFIC_LATEST.into()),
                    percent: Some(100),
                    ..TrafficTarget::default()
                }],
            };
            if env == "prod" {
                // Pinned services are usually updated with the revision name left empty.
                service.template.revision = None;
            }
            service.serving = resolve_traffic(&service.traffic, &service);
            service.observed_generation = service.generation;
            sim.services.insert(service.name.clone(), service);
        }
        sim
    }
}
