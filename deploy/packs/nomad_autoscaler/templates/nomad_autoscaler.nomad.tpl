job [[ var "job_name" . | quote ]] {
  type        = "service"
  datacenters = [[ var "datacenters" . | toStringList ]]

  meta {
    pack         = [[ meta "pack.name" . | quote ]]
    pack_version = [[ meta "pack.version" . | quote ]]
  }

  group "autoscaler" {
    count = [[ var "count" . ]]

    network {
      port "http" {}
    }

    service {
      name     = [[ var "job_name" . | quote ]]
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

      # SIGTERM stops the policy handlers and releases the HA lock, so a standby takes over at once.
      kill_signal  = "SIGTERM"
      kill_timeout = "30s"

      # Workload identity: NOMAD_TOKEN in the environment, and the API on the secrets dir's api.sock.
      identity {
        env = true
      }

      artifact {
        source      = [[ var "archive_url" . | quote ]]
        destination = "local/"

        options {
          checksum = [[ printf "sha256:%s" (var "archive_sha256" .) | quote ]]
        }
      }

      config {
        command = [[ printf "local/nomad-autoscaler_%s_linux_amd64/nomad-autoscaler" (var "version" .) | quote ]]
        args    = ["agent", "-config", "local/config", "-policy-dir", "local/policies"]
      }

      template {
        destination = "local/config/agent.hcl"
        change_mode = "restart"
        data        = <<-EOT
          log_level  = [[ var "log_level" . | quote ]]
          plugin_dir = "{{ env "NOMAD_TASK_DIR" }}/nomad-autoscaler_[[ var "version" . ]]_linux_amd64/plugins"

          nomad {
            address = "[[ var "nomad_address" . ]]"
          }

          http {
            bind_address = "0.0.0.0"
            bind_port    = {{ env "NOMAD_PORT_http" }}
          }
[[- if var "high_availability" . ]]

          high_availability {
            enabled   = true
            lock_path = [[ var "ha_lock_path" . | quote ]]
          }
[[- end ]]
[[- with var "telemetry" . ]]

          telemetry {
            prometheus_metrics  = [[ .prometheus_metrics ]]
            disable_hostname    = [[ .disable_hostname ]]
            collection_interval = [[ .collection_interval | quote ]]
          }
[[- end ]]
[[- range var "apm_plugins" . ]]

          apm [[ .name | quote ]][[ template "plugin_body" . ]]
[[- end ]]
[[- range var "target_plugins" . ]]

          target [[ .name | quote ]][[ template "plugin_body" . ]]
[[- end ]]
[[- range var "strategy_plugins" . ]]

          strategy [[ .name | quote ]][[ template "plugin_body" . ]]
[[- end ]]
        EOT
      }
[[- with var "openstack_credentials_variable" . ]]

      # OpenStack credentials from a Nomad Variable, as environment variables of the task only.
      template {
        destination = "secrets/openstack.env"
        env         = true
        change_mode = "restart"
        data        = <<-EOT
          {{ with nomadVar [[ . | quote ]] }}
          OS_AUTH_URL={{ .os_auth_url }}
          OS_APPLICATION_CREDENTIAL_ID={{ .os_application_credential_id }}
          OS_APPLICATION_CREDENTIAL_SECRET={{ .os_application_credential_secret }}
          {{ end }}
        EOT
      }
[[- end ]]
[[- range $file, $policy := var "policies" . ]]

      template {
        destination = [[ printf "local/policies/%s" $file | quote ]]
        change_mode = "restart"
        data        = <<-EOT
[[ $policy ]]
        EOT
      }
[[- end ]]
[[- with var "resources" . ]]

      resources {
        cpu    = [[ .cpu ]]
        memory = [[ .memory ]]
      }
[[- end ]]
    }
  }
}
