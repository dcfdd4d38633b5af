{{/*
The chart's name (63 characters at most: object names are DNS labels).
*/}}
{{- define "hikube-portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified name of the release's objects: `<release>-hikube-portal`, or the release name
alone when it already contains the chart's name.
*/}}
{{- define "hikube-portal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "hikube-portal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "hikube-portal.labels" -}}
helm.sh/chart: {{ include "hikube-portal.chart" . }}
{{ include "hikube-portal.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hikube
{{- end }}

{{/*
Labels shared by the portal's pods and the migration Job's pods (the NetworkPolicy selects both).
*/}}
{{- define "hikube-portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hikube-portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the portal's pods only (Service, PodDisruptionBudget, spread): never the Job's.
*/}}
{{- define "hikube-portal.portalSelectorLabels" -}}
{{ include "hikube-portal.selectorLabels" . }}
app.kubernetes.io/component: portal
{{- end }}

{{/*
The ServiceAccount's name.
*/}}
{{- define "hikube-portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hikube-portal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: `repository:tag` (tag default appVersion), plus `@digest` when pinned (the
digest then decides; the tag only tells a reader which release it is).
*/}}
{{- define "hikube-portal.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{/*
The portal's public URL (NEXTAUTH_URL).
*/}}
{{- define "hikube-portal.url" -}}
{{- if .Values.url }}
{{- .Values.url | trimSuffix "/" }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else }}
{{- fail "url is required when ingress.enabled is false (the portal's public URL, e.g. https://portal.example.org)" }}
{{- end }}
{{- end }}

{{/*
Names of the Secrets the chart reads (never creates).
*/}}
{{- define "hikube-portal.databaseSecret" -}}
{{- default (printf "%s-database" (include "hikube-portal.fullname" .)) .Values.database.existingSecret }}
{{- end }}
{{- define "hikube-portal.sessionSecret" -}}
{{- default (printf "%s-session" (include "hikube-portal.fullname" .)) .Values.session.existingSecret }}
{{- end }}
{{- define "hikube-portal.oidcSecret" -}}
{{- default (printf "%s-oidc" (include "hikube-portal.fullname" .)) .Values.oidc.existingSecret }}
{{- end }}

{{/*
The pod-level security context of every pod of the chart (Pod Security Standards "restricted").
Helm reads numbers of values files as floats: every integer goes through int64, or a large one
(OpenShift-style user ids, 1000680000) would print as 1.00068e+09.
*/}}
{{- define "hikube-portal.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser | int64 }}
runAsGroup: {{ .Values.securityContext.runAsGroup | int64 }}
fsGroup: {{ .Values.securityContext.runAsGroup | int64 }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The container-level security context of every container of the chart.
*/}}
{{- define "hikube-portal.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Environment shared by the portal and the migration Job: the database, and a writable home and npm
cache under /tmp (the root filesystem is read-only).
*/}}
{{- define "hikube-portal.commonEnv" -}}
- name: NODE_ENV
  value: production
- name: HOME
  value: /tmp
- name: NPM_CONFIG_CACHE
  value: /tmp/.npm
- name: NPM_CONFIG_UPDATE_NOTIFIER
  value: "false"
- name: NEXT_TELEMETRY_DISABLED
  value: "1"
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "hikube-portal.databaseSecret" . }}
      key: {{ .Values.database.key }}
{{- end }}
