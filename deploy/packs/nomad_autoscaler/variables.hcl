variable "job_name" {
  description = "The name of the job."
  type        = string
  default     = "nomad-autoscaler"
}

variable "datacenters" {
  description = "The datacenters the agents may run in."
  type        = list(string)
  default     = ["dc1"]
}

variable "count" {
  description = "How many agents run; with high_availability one leads and the others stand by."
  type        = number
  default     = 2
}

variable "version" {
  description = "The release version; the archive unpacks into nomad-autoscaler_<version>_linux_amd64/."
  type        = string
  default     = "0.1.0"
}

variable "archive_url" {
  description = "Where Nomad's clients download the release archive."
  type        = string
  default     = "https://releases.example.com/nomad-autoscaler/0.1.0/nomad-autoscaler_0.1.0_linux_amd64.tar.gz"
}

variable "archive_sha256" {
  description = "The archive's SHA-256 from SHA256SUMS; Nomad refuses an archive that does not match."
  type        = string
  default     = ""
}

variable "nomad_address" {
  description = "The Nomad API address the agent uses, written into a template (so {{ env }} works). The default is the task's workload identity socket."
  type        = string
  default     = "unix://{{ env \"NOMAD_SECRETS_DIR\" }}/api.sock"
}

variable "high_availability" {
  description = "Run the agents in high_availability mode, with the lock on a Nomad variable."
  type        = bool
  default     = true
}

variable "ha_lock_path" {
  description = "The Nomad variable path of the HA lock (the token needs read and write on it and on <path>/state)."
  type        = string
  default     = "nomad-autoscaler/lock"
}

variable "log_level" {
  description = "The agent's log level."
  type        = string
  default     = "INFO"
}

variable "telemetry" {
  description = "The agent's telemetry block."
  type = object({
    prometheus_metrics  = bool
    disable_hostname    = bool
    collection_interval = string
  })
  default = {
    prometheus_metrics  = true
    disable_hostname    = true
    collection_interval = "1s"
  }
}

variable "apm_plugins" {
  description = "The apm blocks: name, driver and config map of each."
  type = list(object({
    name   = string
    driver = string
    config = map(string)
  }))
  default = [{ name = "nomad-apm", driver = "nomad-apm", config = {} }]
}

variable "target_plugins" {
  description = "The target blocks: name, driver and config map of each."
  type = list(object({
    name   = string
    driver = string
    config = map(string)
  }))
  default = [{ name = "nomad-target", driver = "nomad-target", config = {} }]
}

variable "strategy_plugins" {
  description = "The strategy blocks: name, driver and config map of each."
  type = list(object({
    name   = string
    driver = string
    config = map(string)
  }))
  default = [{ name = "target-value", driver = "target-value", config = {} }]
}

variable "openstack_credentials_variable" {
  description = "A Nomad Variable with os_auth_url, os_application_credential_id and os_application_credential_secret, given to the task as OS_* variables; empty for none."
  type        = string
  default     = ""
}

variable "policies" {
  description = "Scaling policy files: file name to HCL content."
  type        = map(string)
  default     = {}
}

variable "resources" {
  description = "CPU (MHz) and memory (MB) of each agent."
  type = object({
    cpu    = number
    memory = number
  })
  default = {
    cpu    = 200
    memory = 256
  }
}
