# Salt state for oompolicyd: the package, one policy drop-in checked before it
# is installed, and the daemon running, reloaded when the drop-in changes.
# Settings come from pillar "oompolicyd" (see pillar.example):
#   rules:            rule NAME -> keys of a [rule:NAME] section
#   sysctls:          the [sysctl] section
#   daemon_settings:  the [daemon] section
#   dropin_name:      default 50-salt.conf
# NOT RUN: Salt is not packaged in Debian 12 (see ../README.md).
{%- set cfg = salt['pillar.get']('oompolicyd', {}) %}
{%- set dropin = '/etc/oompolicy.conf.d/' ~ cfg.get('dropin_name', '50-salt.conf') %}

oompolicyd-package:
  pkg.installed:
    - name: oompolicyd

oompolicyd-dropin:
  file.managed:
    - name: {{ dropin }}
    - source: salt://oompolicyd/files/dropin.conf.jinja
    - template: jinja
    - context:
        rules: {{ cfg.get('rules', {}) | json }}
        sysctls: {{ cfg.get('sysctls', {}) | json }}
        daemon_settings: {{ cfg.get('daemon_settings', {}) | json }}
    - user: root
    - group: root
    - mode: '0644'
    # Salt runs check_cmd with the path of a temporary file holding the new
    # contents appended; a non-zero exit fails the state and leaves the file
    # alone. "check --as" judges it as if installed at its final path,
    # merged with the rest of the installed policy.
    - check_cmd: /usr/bin/oompolicyctl check --as {{ dropin }}
    - require:
      - pkg: oompolicyd-package

oompolicyd-service:
  service.running:
    - name: oompolicyd
    - enable: true
    # A change of the drop-in reloads (systemctl reload waits for the
    # daemon's verdict) instead of restarting.
    - reload: true
    - watch:
      - file: oompolicyd-dropin
    - require:
      - pkg: oompolicyd-package
