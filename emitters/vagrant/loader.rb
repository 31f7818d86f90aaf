# Reads a Vagrantfile with a stand-in for Vagrant's configuration DSL and
# prints every setting it makes as JSON. Used by envc's read-back
# (ReadVagrantfile): ruby loader.rb /abs/path/Vagrantfile
#
# It records only what envc writes; any other call is listed under
# "unknown", so that a reader can tell the file says more than it expects.
require 'json'

$envc = {
  'version' => nil, 'vm' => {}, 'ssh' => {}, 'networks' => [], 'synced_folders' => [],
  'provisioners' => [], 'providers' => [], 'unknown' => []
}

# plain turns symbols (hash keys, values) into strings for JSON.
def envc_plain(v)
  case v
  when Hash then v.each_with_object({}) { |(k, x), h| h[k.to_s] = envc_plain(x) }
  when Array then v.map { |x| envc_plain(x) }
  when Symbol then v.to_s
  else v
  end
end

# EnvcUnknown records a call the stand-in does not know, under its
# envc_prefix, and returns a sink for whatever is called on its result.
module EnvcUnknown
  def method_missing(name, *_args)
    $envc['unknown'] << "#{envc_prefix}#{name}"
    EnvcSink.new
  end

  def respond_to_missing?(_name, _all = false)
    true
  end
end

# EnvcProvider records the settings of a provider block, in order.
class EnvcProvider
  attr_reader :settings

  def initialize(name)
    @name = name
    @settings = []
  end

  def method_missing(name, *args, &block)
    s = name.to_s
    if s.end_with?('=') && args.length == 1 && block.nil?
      @settings << { 'name' => s.chomp('='), 'value' => envc_plain(args[0]) }
    else
      $envc['unknown'] << "provider #{@name}: #{s}"
    end
    nil
  end

  def respond_to_missing?(_name, _all = false)
    true
  end
end

# EnvcVM stands in for config.vm.
class EnvcVM
  include EnvcUnknown

  %w[box box_version box_url hostname].each do |attr|
    define_method("#{attr}=") { |v| $envc['vm'][attr] = v }
  end

  def network(type, **opts)
    $envc['networks'] << { 'type' => type.to_s, 'options' => envc_plain(opts) }
  end

  def synced_folder(source, target, **opts)
    $envc['synced_folders'] << { 'source' => source, 'target' => target, 'options' => envc_plain(opts) }
  end

  def provision(type, **opts)
    $envc['provisioners'] << { 'type' => type.to_s, 'options' => envc_plain(opts) }
  end

  def provider(name)
    p = EnvcProvider.new(name.to_s)
    yield p
    $envc['providers'] << { 'name' => name.to_s, 'settings' => p.settings }
  end

  def envc_prefix
    'vm.'
  end
end

# EnvcSSH stands in for config.ssh.
class EnvcSSH
  include EnvcUnknown

  def forward_agent=(v)
    $envc['ssh']['forward_agent'] = v
  end

  def envc_prefix
    'ssh.'
  end
end

# EnvcSink swallows the calls made on what an unknown call returned.
class EnvcSink
  def method_missing(_name, *_args)
    self
  end

  def respond_to_missing?(_name, _all = false)
    true
  end
end

# EnvcConfig stands in for the object Vagrant.configure yields.
class EnvcConfig
  include EnvcUnknown

  def vm
    @vm ||= EnvcVM.new
  end

  def ssh
    @ssh ||= EnvcSSH.new
  end

  def envc_prefix
    'config.'
  end
end

module Vagrant
  def self.configure(version)
    $envc['version'] = version
    yield EnvcConfig.new
  end
end

out = $stdout.dup
$stdout.reopen(File::NULL) # whatever the Vagrantfile prints is not the record
load ARGV.fetch(0)
out.write(JSON.generate($envc))
