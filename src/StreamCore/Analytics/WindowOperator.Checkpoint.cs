namespace StreamCore.Analytics;

/// <summary>An operator's state as of a point between two events: every live key window with a copy of its accumulator.</summary>
internal sealed record OperatorState<TKey, TAcc>(long Watermark, long NextEarly, IReadOnlyList<OperatorWindowState<TKey, TAcc>> Windows);

internal readonly record struct OperatorWindowState<TKey, TAcc>(TKey Key, TimeWindow Window, TAcc Accumulator, int Count, bool Fired, bool Dirty);

internal sealed partial class WindowOperator<TEvent, TKey, TAcc, TResult>
{
    /// <summary>Copies the state (accumulators through <see cref="IAggregator{TIn, TAccumulator, TResult}.Copy"/>).</summary>
    public OperatorState<TKey, TAcc> Checkpoint()
    {
        var windows = new List<OperatorWindowState<TKey, TAcc>>();
        foreach (Pane pane in _panes.Values.OrderBy(p => p.Window.Start))
        {
            foreach (KeyValuePair<TKey, Slot> slot in pane.Slots)
            {
                windows.Add(new(slot.Key, pane.Window, _aggregator.Copy(slot.Value.Accumulator), slot.Value.Count, pane.Fired, slot.Value.Dirty));
            }
        }

        foreach (List<KeyWindow> list in _keyWindows.Values)
        {
            foreach (KeyWindow window in list)
            {
                windows.Add(new(window.Key, window.Window, _aggregator.Copy(window.Accumulator), window.Count, window.Fired, window.Dirty));
            }
        }

        return new OperatorState<TKey, TAcc>(Watermark, _nextEarly, windows);
    }

    /// <summary>Loads a checkpoint into a fresh operator (accumulators are copied again, so one checkpoint restores many times).</summary>
    public void Restore(OperatorState<TKey, TAcc> state)
    {
        if (_panes.Count != 0 || _keyWindows.Count != 0 || Watermark != long.MinValue)
        {
            throw new InvalidOperationException("A window operator is restored only before it has state.");
        }

        Watermark = state.Watermark;
        _nextEarly = state.NextEarly;
        foreach (OperatorWindowState<TKey, TAcc> entry in state.Windows)
        {
            if (_assigner.IsAligned)
            {
                Pane pane = PaneFor(entry.Window);
                if (entry.Fired && !pane.Fired)
                {
                    pane.Fired = true;
                }

                pane.Dirty |= entry.Dirty;
                pane.Slots[entry.Key] = new Slot { Accumulator = _aggregator.Copy(entry.Accumulator), Count = entry.Count, Dirty = entry.Dirty };
            }
            else
            {
                _keyWindows.TryGetValue(entry.Key, out List<KeyWindow>? windows);
                KeyWindow window = NewKeyWindow(entry.Key, entry.Window, ref windows);
                window.Accumulator = _aggregator.Copy(entry.Accumulator);
                window.Count = entry.Count;
                window.Fired = entry.Fired;
                window.Dirty = entry.Dirty;
            }
        }
    }
}
