using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamCore.Analytics;

/// <summary>Where an operator's results and late events go.</summary>
internal interface IWindowSink<TEvent, TKey, TResult>
{
    void OnResult(in WindowResult<TKey, TResult> result);

    void OnLate(in LateEvent<TEvent> late);
}

/// <summary>
/// Keyed window state for one worker, single-threaded: assigns each event to its windows (Flink's arithmetic), keeps an
/// accumulator per key and window, and fires by Flink's <c>WindowOperator</c> rules: on the watermark reaching a
/// window's max timestamp (FIRE), again for each event admitted while the watermark is past it (late firing, once per
/// event), state kept until the watermark reaches max timestamp + allowed lateness; an event for which every window is
/// already cleaned up goes to the late side output. Early firings by count or on the processing-time clock come on top.
/// </summary>
/// <remarks>
/// Aligned windows (tumbling, sliding) are panes shared by every key: one dictionary of key to accumulator per window,
/// so the hot path for an in-order tumbling event is one range check on the last pane, one dictionary lookup and the
/// accumulator update, with no allocation in steady state (panes and their dictionaries are reused). Unaligned
/// windows (sessions, stagger) are kept per key. Each live window has exactly one timer entry at a time.
/// </remarks>
internal sealed partial class WindowOperator<TEvent, TKey, TAcc, TResult>
    where TKey : notnull
{
    private const int PanePoolSize = 8;

    private readonly WindowAssigner _assigner;
    private readonly IAggregator<TEvent, TAcc, TResult> _aggregator;
    private readonly long _lateness;
    private readonly int _earlyCount;
    private readonly long _earlyInterval;
    private readonly IWindowSink<TEvent, TKey, TResult> _sink;

    private readonly Dictionary<long, Pane> _panes = [];
    private readonly PriorityQueue<Pane, long> _paneTimers = new();
    private readonly Stack<Pane> _panePool = new();
    private readonly TimeWindow[] _assigned;
    private Pane? _lastPane;

    /// <summary>The tumbling pane the fast path adds to: unfired (max timestamp above the watermark), no early trigger.</summary>
    private Pane? _hotPane;

    private readonly Dictionary<TKey, List<KeyWindow>> _keyWindows = [];
    private readonly PriorityQueue<(KeyWindow Window, int Version), long> _keyTimers = new();

    private long _nextEarly;

    public WindowOperator(WindowAssigner assigner, IAggregator<TEvent, TAcc, TResult> aggregator, long allowedLateness, WindowTrigger trigger, IWindowSink<TEvent, TKey, TResult> sink)
    {
        _assigner = assigner;
        _aggregator = aggregator;
        _lateness = allowedLateness;
        _earlyCount = trigger.EarlyCount;
        _earlyInterval = trigger.EarlyIntervalMs;
        _sink = sink;
        _assigned = new TimeWindow[assigner.WindowsPerEvent];
    }

    /// <summary>The watermark the operator has been advanced to.</summary>
    public long Watermark { get; private set; } = long.MinValue;

    /// <summary>Windows fired (each key's window once per firing).</summary>
    public long Firings { get; private set; }

    /// <summary>Events sent to the side output.</summary>
    public long LateEvents { get; private set; }

    /// <summary>Live key windows (for tests: all state is released once windows are cleaned up).</summary>
    public int LiveWindowCount => _panes.Values.Sum(p => p.Slots.Count) + _keyWindows.Values.Sum(l => l.Count);

    /// <summary>Adds one event with its key and event time; returns <see langword="false"/> when it went to the side output.</summary>
    /// <remarks>
    /// The fast path: an event of the tumbling pane it shares with the one before (<see cref="_hotPane"/>: not fired,
    /// no early trigger) is one range check, one dictionary lookup and the accumulator update. Anything else (a new
    /// pane, a late or early firing, other windows) takes <see cref="AddSlow"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(TEvent value, TKey key, long timestamp)
    {
        if (_hotPane is { } hot && timestamp >= hot.Window.Start && timestamp < hot.Window.End)
        {
            ref Slot slot = ref CollectionsMarshal.GetValueRefOrAddDefault(hot.Slots, key, out bool exists);
            if (!exists)
            {
                slot.Accumulator = _aggregator.CreateAccumulator();
            }

            _aggregator.Add(ref slot.Accumulator, value);
            return true;
        }

        return AddSlow(value, key, timestamp);
    }

    private bool AddSlow(TEvent value, TKey key, long timestamp)
    {
        long watermark = Watermark;
        switch (_assigner.Kind)
        {
            case WindowKind.Tumbling:
                Pane? pane = _lastPane;
                if (pane is null || timestamp < pane.Window.Start || timestamp >= pane.Window.End)
                {
                    long start = TimeWindow.GetWindowStart(timestamp, _assigner.Offset, _assigner.Size);
                    var window = new TimeWindow(start, start + _assigner.Size);
                    if (Cleanup(window) <= watermark)
                    {
                        return Late(value, timestamp);
                    }

                    pane = _lastPane = PaneFor(window);
                }

                if (_earlyCount == 0 && _earlyInterval == 0 && pane.Window.MaxTimestamp > watermark)
                {
                    _hotPane = pane; // until the watermark reaches it (AdvanceWatermark)
                }

                AddTo(pane, key, value, watermark);
                return true;

            case WindowKind.Sliding:
                int count = _assigner.AssignAligned(timestamp, _assigned);
                bool added = false;
                for (int i = 0; i < count; i++)
                {
                    TimeWindow window = _assigned[i];
                    if (Cleanup(window) <= watermark)
                    {
                        continue; // late for this window, perhaps on time for another
                    }

                    AddTo(PaneFor(window), key, value, watermark);
                    added = true;
                }

                return added || Late(value, timestamp);

            case WindowKind.Session:
                return AddToSession(value, key, timestamp, watermark);

            default:
                return AddToStagger(value, key, timestamp, watermark);
        }
    }

    /// <summary>Advances the watermark, firing and cleaning up every window it reaches.</summary>
    public void AdvanceWatermark(long watermark)
    {
        if (watermark <= Watermark)
        {
            return;
        }

        Watermark = watermark;
        if (_hotPane is { } hot && hot.Window.MaxTimestamp <= watermark)
        {
            _hotPane = null; // it fires now: later events are late firings or late
        }

        while (_paneTimers.TryPeek(out Pane? pane, out long due) && due <= watermark)
        {
            _paneTimers.Dequeue();
            if (!pane.Fired)
            {
                pane.Fired = true;
                foreach (KeyValuePair<TKey, Slot> slot in pane.Slots)
                {
                    Emit(slot.Key, pane.Window, slot.Value.Accumulator, WindowFiring.OnTime);
                }
            }

            long cleanup = Cleanup(pane.Window);
            if (cleanup <= watermark)
            {
                Recycle(pane);
            }
            else
            {
                _paneTimers.Enqueue(pane, cleanup);
            }
        }

        while (_keyTimers.TryPeek(out (KeyWindow Window, int Version) entry, out long due) && due <= watermark)
        {
            _keyTimers.Dequeue();
            KeyWindow window = entry.Window;
            if (window.Version != entry.Version)
            {
                continue; // merged away or removed
            }

            long actual = window.Fired ? Cleanup(window.Window) : window.Window.MaxTimestamp;
            if (actual > watermark)
            {
                _keyTimers.Enqueue(entry, actual); // the session grew since the timer was set
                continue;
            }

            if (!window.Fired)
            {
                window.Fired = true;
                Emit(window.Key, window.Window, window.Accumulator, WindowFiring.OnTime);
            }

            long cleanup = Cleanup(window.Window);
            if (cleanup <= watermark)
            {
                RemoveKeyWindow(window);
            }
            else
            {
                _keyTimers.Enqueue(entry, cleanup);
            }
        }
    }

    /// <summary>Processing time moved on: early firings of windows that changed, when the trigger asks for them.</summary>
    public void OnProcessingTime(long now)
    {
        if (_earlyInterval <= 0)
        {
            return;
        }

        if (_nextEarly == 0)
        {
            _nextEarly = now + _earlyInterval;
            return;
        }

        if (now < _nextEarly)
        {
            return;
        }

        _nextEarly = now + _earlyInterval;
        foreach (Pane pane in _panes.Values)
        {
            if (pane.Fired || !pane.Dirty)
            {
                continue;
            }

            pane.Dirty = false;
            foreach (TKey key in pane.Slots.Keys)
            {
                ref Slot slot = ref CollectionsMarshal.GetValueRefOrNullRef(pane.Slots, key);
                if (slot.Dirty)
                {
                    slot.Dirty = false;
                    Emit(key, pane.Window, slot.Accumulator, WindowFiring.Early);
                }
            }
        }

        foreach (List<KeyWindow> windows in _keyWindows.Values)
        {
            foreach (KeyWindow window in windows)
            {
                if (window.Dirty && !window.Fired)
                {
                    window.Dirty = false;
                    Emit(window.Key, window.Window, window.Accumulator, WindowFiring.Early);
                }
            }
        }
    }

    private void AddTo(Pane pane, TKey key, TEvent value, long watermark)
    {
        ref Slot slot = ref CollectionsMarshal.GetValueRefOrAddDefault(pane.Slots, key, out bool exists);
        if (!exists)
        {
            slot.Accumulator = _aggregator.CreateAccumulator();
        }

        _aggregator.Add(ref slot.Accumulator, value);
        if (pane.Window.MaxTimestamp <= watermark)
        {
            Emit(key, pane.Window, slot.Accumulator, WindowFiring.Late);
            return;
        }

        if (_earlyCount > 0 && ++slot.Count >= _earlyCount)
        {
            slot.Count = 0;
            Emit(key, pane.Window, slot.Accumulator, WindowFiring.Early);
        }
        else if (_earlyInterval > 0)
        {
            slot.Dirty = true;
            pane.Dirty = true;
        }
    }

    private Pane PaneFor(TimeWindow window)
    {
        if (_panes.TryGetValue(window.Start, out Pane? pane))
        {
            return pane;
        }

        pane = _panePool.Count > 0 ? _panePool.Pop() : new Pane();
        pane.Window = window;
        pane.Fired = false;
        pane.Dirty = false;
        _panes.Add(window.Start, pane);
        _paneTimers.Enqueue(pane, window.MaxTimestamp);
        return pane;
    }

    private void Recycle(Pane pane)
    {
        _panes.Remove(pane.Window.Start);
        if (ReferenceEquals(_lastPane, pane))
        {
            _lastPane = null;
        }

        pane.Slots.Clear();
        if (_panePool.Count < PanePoolSize)
        {
            _panePool.Push(pane);
        }
    }

    private bool AddToSession(TEvent value, TKey key, long timestamp, long watermark)
    {
        var window = new TimeWindow(timestamp, SaturatingAdd(timestamp, _assigner.Size));
        _keyWindows.TryGetValue(key, out List<KeyWindow>? windows);
        TimeWindow merged = window;
        int first = -1, last = -1;
        if (windows is not null)
        {
            for (int i = 0; i < windows.Count; i++)
            {
                if (windows[i].Window.Intersects(window))
                {
                    merged = merged.Cover(windows[i].Window);
                    first = first < 0 ? i : first;
                    last = i;
                }
            }
        }

        if (Cleanup(merged) <= watermark)
        {
            return Late(value, timestamp);
        }

        KeyWindow target;
        if (first < 0)
        {
            target = NewKeyWindow(key, window, ref windows);
        }
        else
        {
            target = windows![first];
            for (int i = last; i > first; i--)
            {
                KeyWindow other = windows[i];
                target.Accumulator = _aggregator.Merge(target.Accumulator, other.Accumulator);
                target.Fired |= other.Fired;
                target.Count += other.Count;
                target.Dirty |= other.Dirty;
                other.Version++;
                windows.RemoveAt(i);
            }

            target.Window = merged;
            if (target.Fired && merged.MaxTimestamp > watermark)
            {
                // A late event stretched a fired session past the watermark: it fires again when the watermark gets there.
                target.Fired = false;
                target.Version++;
                _keyTimers.Enqueue((target, target.Version), merged.MaxTimestamp);
            }
        }

        AddTo(target, value, watermark);
        return true;
    }

    private bool AddToStagger(TEvent value, TKey key, long timestamp, long watermark)
    {
        _keyWindows.TryGetValue(key, out List<KeyWindow>? windows);
        KeyWindow? target = null;
        long end = SaturatingAdd(timestamp, _assigner.Size);
        if (windows is not null)
        {
            foreach (KeyWindow candidate in windows)
            {
                if (candidate.Window.Contains(timestamp))
                {
                    target = candidate;
                    break;
                }

                if (candidate.Window.Start > timestamp)
                {
                    end = Math.Min(end, candidate.Window.Start); // windows of a key never overlap
                    break;
                }
            }
        }

        if (target is null)
        {
            var window = new TimeWindow(timestamp, end);
            if (Cleanup(window) <= watermark)
            {
                return Late(value, timestamp);
            }

            target = NewKeyWindow(key, window, ref windows);
        }

        AddTo(target, value, watermark);
        return true;
    }

    private KeyWindow NewKeyWindow(TKey key, TimeWindow window, ref List<KeyWindow>? windows)
    {
        if (windows is null)
        {
            windows = [];
            _keyWindows.Add(key, windows);
        }

        var created = new KeyWindow { Key = key, Window = window, Accumulator = _aggregator.CreateAccumulator() };
        int index = 0;
        while (index < windows.Count && windows[index].Window.Start < window.Start)
        {
            index++;
        }

        windows.Insert(index, created);
        _keyTimers.Enqueue((created, created.Version), window.MaxTimestamp);
        return created;
    }

    private void AddTo(KeyWindow window, TEvent value, long watermark)
    {
        _aggregator.Add(ref window.Accumulator, value);
        if (window.Window.MaxTimestamp <= watermark)
        {
            window.Fired = true;
            Emit(window.Key, window.Window, window.Accumulator, WindowFiring.Late);
            return;
        }

        if (_earlyCount > 0 && ++window.Count >= _earlyCount)
        {
            window.Count = 0;
            Emit(window.Key, window.Window, window.Accumulator, WindowFiring.Early);
        }
        else if (_earlyInterval > 0)
        {
            window.Dirty = true;
        }
    }

    private void RemoveKeyWindow(KeyWindow window)
    {
        window.Version++;
        List<KeyWindow> windows = _keyWindows[window.Key];
        windows.Remove(window);
        if (windows.Count == 0)
        {
            _keyWindows.Remove(window.Key);
        }
    }

    private bool Late(TEvent value, long timestamp)
    {
        LateEvents++;
        _sink.OnLate(new LateEvent<TEvent>(value, timestamp, Watermark));
        return false;
    }

    private void Emit(TKey key, TimeWindow window, in TAcc accumulator, WindowFiring firing)
    {
        Firings++;
        _sink.OnResult(new WindowResult<TKey, TResult>(key, window, _aggregator.GetResult(accumulator), firing));
    }

    private long Cleanup(TimeWindow window) => SaturatingAdd(window.MaxTimestamp, _lateness);

    private static long SaturatingAdd(long value, long add) => value > long.MaxValue - add ? long.MaxValue : value + add;

    private struct Slot
    {
        public TAcc Accumulator;
        public int Count;
        public bool Dirty;
    }

    private sealed class Pane
    {
        public readonly Dictionary<TKey, Slot> Slots = [];
        public TimeWindow Window;
        public bool Fired;
        public bool Dirty;
    }

    private sealed class KeyWindow
    {
        public required TKey Key;
        public TimeWindow Window;
        public TAcc Accumulator = default!;
        public int Count;
        public int Version;
        public bool Fired;
        public bool Dirty;
    }
}
