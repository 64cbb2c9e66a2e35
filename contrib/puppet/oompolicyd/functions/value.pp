# @summary A value as oompolicy.conf(5) writes it: an array as globs
#   separated by blanks, a boolean as yes or no.
function oompolicyd::value(Any $v) >> String {
  $v ? {
    Array   => $v.join(' '),
    true    => 'yes',
    false   => 'no',
    default => String($v),
  }
}
