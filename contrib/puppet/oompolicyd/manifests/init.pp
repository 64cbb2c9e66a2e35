# @summary Installs oompolicyd and manages one policy drop-in, checked
#   before it is installed, with the daemon reloaded when it changes.
#
# @param package_name
#   The package (from the repositories, or the name a local .deb installs).
# @param package_source
#   Path of a .deb on the machine: installed with the dpkg provider (offline;
#   its dependencies must be installed already). Unset: apt.
# @param dropin_dir
#   The administrator's drop-in directory.
# @param dropin_name
#   The drop-in this class owns; must end in .conf (only those are read).
# @param rules
#   Rule NAME => { key => value } of [rule:NAME] sections (oompolicy.conf(5)),
#   in precedence order (the rule defined last wins). An array value becomes
#   globs separated by blanks. A NAME the vendor policy defines is changed key
#   by key.
# @param sysctls
#   The [sysctl] section, key => value.
# @param daemon_settings
#   The [daemon] section, key => value.
# @param service_ensure
#   The daemon's state.
# @param service_enable
#   Whether the unit is enabled.
#
# @example
#   class { 'oompolicyd':
#     rules   => { 'sshd' => { 'oom_score_adj' => -900 } },
#     sysctls => { 'vm.oom_dump_tasks' => 0 },
#   }
class oompolicyd (
  String[1] $package_name = 'oompolicyd',
  Optional[Pattern[/\A\//]] $package_source = undef,
  Pattern[/\A\//] $dropin_dir = '/etc/oompolicy.conf.d',
  Pattern[/\A[^\/]+\.conf\z/] $dropin_name = '50-puppet.conf',
  Hash[String[1], Hash[String[1], Any]] $rules = {},
  Hash[String[1], Any] $sysctls = {},
  Hash[String[1], Any] $daemon_settings = {},
  Enum['running', 'stopped'] $service_ensure = 'running',
  Boolean $service_enable = true,
) {
  $dropin = "${dropin_dir}/${dropin_name}"

  if $package_source {
    package { $package_name:
      ensure   => installed,
      provider => 'dpkg',
      source   => $package_source,
    }
  } else {
    package { $package_name:
      ensure => installed,
    }
  }

  file { $dropin_dir:
    ensure  => directory,
    owner   => 'root',
    group   => 'root',
    mode    => '0755',
    require => Package[$package_name],
  }

  # validate_cmd runs on a temporary copy before it replaces the installed
  # file ('%' is its path): "check --as" judges it as if it were installed at
  # its final path, merged with the rest of the installed policy, and names
  # both files with FILE:LINE in its errors. A refused file changes nothing.
  if empty($rules) and empty($sysctls) and empty($daemon_settings) {
    file { $dropin:
      ensure => absent,
      notify => Service['oompolicyd'],
    }
  } else {
    file { $dropin:
      ensure       => file,
      owner        => 'root',
      group        => 'root',
      mode         => '0644',
      content      => epp('oompolicyd/dropin.conf.epp', {
        'rules'           => $rules,
        'sysctls'         => $sysctls,
        'daemon_settings' => $daemon_settings,
      }),
      validate_cmd => "/usr/bin/oompolicyctl check --as ${dropin} %",
      require      => File[$dropin_dir],
      notify       => Service['oompolicyd'],
    }
  }

  # A refresh reloads instead of restarting: "systemctl reload" waits for
  # the daemon's verdict (ExecReload runs oompolicyctl reload), so a policy
  # the daemon rejects fails the run and the old policy stays in force.
  service { 'oompolicyd':
    ensure  => $service_ensure,
    enable  => $service_enable,
    restart => '/bin/systemctl reload oompolicyd.service',
    require => Package[$package_name],
  }
}
