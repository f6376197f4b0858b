using System.Threading.Channels;

namespace Prescient.Host.Planning;

/// <summary>
/// The latest plan and its watchers. Publishing never blocks: a watcher that falls behind loses
/// intermediate plans (it only ever needs the newest). Thread-safe.
/// </summary>
public sealed class PlanStore
{
    private readonly Lock _lock = new();
    private readonly List<Channel<PlanInfo>> _watchers = [];
    private PlanInfo _current = PlanInfo.Empty;

    public PlanInfo Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public void Publish(PlanInfo plan)
    {
        lock (_lock)
        {
            _current = plan;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(plan);
            }
        }
    }

    /// <summary>A stream of plans starting with the current one; dispose the subscription to stop.</summary>
    public Subscription Watch()
    {
        var channel = Channel.CreateBounded<PlanInfo>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            channel.Writer.TryWrite(_current);
            _watchers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    public sealed class Subscription(PlanStore owner, Channel<PlanInfo> channel) : IDisposable
    {
        public ChannelReader<PlanInfo> Reader => channel.Reader;

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        }
    }
}
