# An example: lets sshd be killed as a very last resort (one key of the vendor
# rule), makes compilers the preferred victims, and skips the task table in
# OOM reports.
#   puppet apply --modulepath=contrib/puppet contrib/puppet/oompolicyd/examples/init.pp
class { 'oompolicyd':
  rules   => {
    'sshd'      => { 'oom_score_adj' => -900 },
    'compilers' => { 'name' => ['cc1', 'cc1plus', 'rustc'], 'oom_score_adj' => 500 },
  },
  sysctls => { 'vm.oom_dump_tasks' => 0 },
}
