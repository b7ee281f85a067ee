# Two nomad-autoscaler agents (one leads, one stands by) as a Nomad service job: the release archive under the exec
# driver, the agent configuration and the mission's pool policy from templates, OpenStack credentials from a Nomad
# Variable, and Nomad's API reached through the task's workload identity socket. Walk-through: docs/deploy.md.
#
# Put the OpenStack credentials in the Nomad Variable nomad/jobs/nomad-autoscaler first (docs/deploy.md), then:
#   nomad job run -var archive_sha256=<from SHA256SUMS> nomad-autoscaler.nomad.hcl

variable "version" {
  type    = string
  default = "0.1.0"
}

variable "archive_url" {
  description = "Where Nomad's clients download the release archive (http, https or s3)."
  type        = string
  default     = "https://releases.example.com/nomad-autoscaler/0.1.0/nomad-autoscaler_0.1.0_linux_amd64.tar.gz"
}

variable "archive_sha256" {
  description = "The archive's line in SHA256SUMS: the artifact is refused when it does not match."
  type        = string
}

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

job "nomad-autoscaler" {
  type        = "service"
  datacenters = var.datacenters

  group "autoscaler" {
    # Two agents in high_availability mode: the one holding the lock acts, the other takes over when it goes.
    count = 2

    network {
      port "http" {}
    }

    service {
      name     = "nomad-autoscaler"
      provider = "nomad"
      port     = "http"

      check {
        type     = "http"
        path     = "/v1/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "agent" {
      driver = "exec"

      # SIGTERM makes the agent stop its policy handlers and release the HA lock, so the standby takes over at once;
      # kill_timeout is how long Nomad waits before SIGKILL.
      kill_signal  = "SIGTERM"
      kill_timeout = "30s"

      # Workload identity: NOMAD_TOKEN in the environment, and the API on ${NOMAD_SECRETS_DIR}/api.sock.
      identity {
        env = true
      }

      artifact {
        source      = var.archive_url
        destination = "local/"

        options {
          checksum = "sha256:${var.archive_sha256}"
        }
      }

      config {
        command = "local/nomad-autoscaler_${var.version}_linux_amd64/nomad-autoscaler"
        args    = ["agent", "-config", "local/config", "-policy-dir", "local/policies"]
      }

      template {
        destination = "local/config/agent.hcl"
        change_mode = "restart"
        data        = <<-EOT
          log_level  = "INFO"
          plugin_dir = "{{ env "NOMAD_TASK_DIR" }}/nomad-autoscaler_${var.version}_linux_amd64/plugins"

          nomad {
            address = "unix://{{ env "NOMAD_SECRETS_DIR" }}/api.sock"
          }

          http {
            bind_address = "0.0.0.0"
            bind_port    = {{ env "NOMAD_PORT_http" }}
          }

          high_availability {
            enabled   = true
            lock_path = "nomad-autoscaler/lock"
          }

          telemetry {
            prometheus_metrics = true
            disable_hostname   = true
          }

          apm "nomad-apm" {
            driver = "nomad-apm"
          }

          target "os-nova" {
            driver = "os-nova"
          }

          strategy "target-value" {
            driver = "target-value"
          }
        EOT
      }

      # OpenStack credentials: the task's environment, read from a Nomad Variable this job's identity may read.
      template {
        destination = "secrets/openstack.env"
        env         = true
        change_mode = "restart"
        data        = <<-EOT
          {{ with nomadVar "nomad/jobs/nomad-autoscaler" }}
          OS_AUTH_URL={{ .os_auth_url }}
          OS_APPLICATION_CREDENTIAL_ID={{ .os_application_credential_id }}
          OS_APPLICATION_CREDENTIAL_SECRET={{ .os_application_credential_secret }}
          {{ end }}
        EOT
      }

      template {
        destination = "local/policies/worker_pool_policy.hcl"
        change_mode = "restart"
        data        = <<-EOT
          scaling "worker_pool_policy" {
            enabled = true
            min     = 1
            max     = 2

            policy {
              cooldown            = "2m"
              evaluation_interval = "1m"

              check "cpu_allocated_percentage" {
                source = "nomad-apm"
                query  = "percentage-allocated_cpu"

                strategy "target-value" {
                  target = 70
                }
              }

              target "os-nova" {
                image_id                      = "c0b9ae0f-6a02-4a35-a8b3-8e7b1e7d3b41"
                flavor_name                   = "2C-2GB-20GB"
                pool_name                     = "nom-pool"
                name_prefix                   = "nom-"
                network_id                    = "5e1b3c9a-2f44-4d8e-9a51-7c0b6d2e8f13"
                security_groups               = "default"
                availability_zones            = "az1"
                node_class                    = "nom-pool"
                node_drain_deadline           = "1h"
                node_drain_ignore_system_jobs = false
                node_purge                    = true
                node_selector_strategy        = "least_busy"
              }
            }
          }
        EOT
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }
  }
}
