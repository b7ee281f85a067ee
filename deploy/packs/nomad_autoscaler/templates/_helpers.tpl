[[- /* The body of an apm, target or strategy block of the agent configuration: driver and config. */ -]]
[[- define "plugin_body" ]] {
            driver = [[ .driver | quote ]]
[[- if .config ]]
            config = {
[[- range $key, $value := .config ]]
              [[ $key ]] = [[ $value | quote ]]
[[- end ]]
            }
[[- end ]]
          }
[[- end -]]
