using StreamCore.Analytics;
using StreamCore.Analytics.Applications;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on the Kinesis Analytics v2 control plane's lifecycle edges, driven by a job whose snapshot can be held
/// open so the interleavings are deterministic: every job started is counted against every job disposed, and an
/// application that is not RUNNING must have no live job.
/// </summary>
public class AnalyticsBreakingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>A job whose checkpoint waits on a gate while the gate is set; counts its disposals.</summary>
    private sealed class GatedJob : IAnalyticsJob
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _disposed;

        public TaskCompletionSource<bool>? Gate { get; set; }

        public TaskCompletionSource CheckpointEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Disposals => Volatile.Read(ref _disposed);

        public Task Completion => _done.Task;

        public async ValueTask<WindowCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
        {
            CheckpointEntered.TrySetResult();
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return new WindowCheckpoint(new object(), 0, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, "gated");
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposed);
            _done.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Harness : IDisposable
    {
        private readonly List<GatedJob> _jobs = [];

        public Harness()
        {
            Apps = AnalyticsApplications.For(Engine.Engine);
            Apps.RegisterCode("app", _ =>
            {
                var job = new GatedJob { Gate = NextGate };
                lock (_jobs)
                {
                    _jobs.Add(job);
                }

                return job;
            });
            Apps.CreateApplication(new CreateApplicationRequest
            {
                ApplicationName = "app",
                RuntimeEnvironment = "FLINK-1_20",
                ServiceExecutionRole = "arn:aws:iam::123456789012:role/R",
                ApplicationConfiguration = new ApplicationConfiguration { ApplicationSnapshotConfiguration = new ApplicationSnapshotConfiguration { SnapshotsEnabled = true } },
            });
        }

        public TestEngine Engine { get; } = new();

        public AnalyticsApplications Apps { get; }

        public TaskCompletionSource<bool>? NextGate { get; set; }

        public GatedJob[] Jobs
        {
            get
            {
                lock (_jobs)
                {
                    return [.. _jobs];
                }
            }
        }

        public int Live => Jobs.Count(j => j.Disposals == 0);

        public long Version => Apps.DescribeApplication(new DescribeApplicationRequest { ApplicationName = "app" }).ApplicationDetail!.ApplicationVersionId;

        public void Start() => Apps.StartApplication(new StartApplicationRequest { ApplicationName = "app" });

        public Task<UpdateApplicationResponse> UpdateAsync(long version) => Apps.UpdateApplicationAsync(
            new UpdateApplicationRequest { ApplicationName = "app", CurrentApplicationVersionId = version, ServiceExecutionRoleUpdate = "arn:aws:iam::123456789012:role/R" + version },
            TestContext.Current.CancellationToken);

        public void Dispose() => Engine.Dispose();
    }

    [Fact]
    public async Task Concurrent_starts_start_exactly_one_job_and_the_others_are_refused_as_in_use()
    {
        using var h = new Harness();
        int refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            try
            {
                h.Start();
            }
            catch (AnalyticsException e) when (e.ErrorCode == "ResourceInUseException")
            {
                Interlocked.Increment(ref refused);
            }
        })));
        Assert.Equal(7, refused);
        Assert.Single(h.Jobs);
        Assert.Equal("RUNNING", h.Apps.GetStatus("app"));
    }

    [Fact]
    public async Task Delete_while_running_disposes_the_job_and_the_name_can_be_created_again()
    {
        using var h = new Harness();
        h.Start();
        DateTime created = h.Apps.DescribeApplication(new DescribeApplicationRequest { ApplicationName = "app" }).ApplicationDetail!.CreateTimestamp!.Value;
        await h.Apps.DeleteApplicationAsync(new DeleteApplicationRequest { ApplicationName = "app", CreateTimestamp = created });
        Assert.Equal(0, h.Live);
        Assert.Equal(1, h.Jobs[0].Disposals);
        Assert.Null(h.Apps.GetStatus("app"));
        h.Apps.CreateApplication(new CreateApplicationRequest { ApplicationName = "app", RuntimeEnvironment = "FLINK-1_20", ServiceExecutionRole = "arn:aws:iam::123456789012:role/R" });
        Assert.Empty(h.Apps.ListApplicationSnapshots(new ListApplicationSnapshotsRequest { ApplicationName = "app" }).SnapshotSummaries!);
    }

    [Fact]
    public async Task Stop_while_starting_on_the_status_delay_never_starts_a_job()
    {
        using var h = new Harness();
        h.Apps.StatusDelay = TimeSpan.FromSeconds(5);
        h.Start();
        Assert.Equal("STARTING", h.Apps.GetStatus("app"));
        Task<OperationResponse> stopping = h.Apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "app" }, TestContext.Current.CancellationToken);
        await stopping.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("STOPPING", h.Apps.GetStatus("app"));
        h.Engine.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("READY", h.Apps.GetStatus("app"));
        h.Engine.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(h.Jobs);
        Assert.Equal("READY", h.Apps.GetStatus("app"));
    }

    [Fact]
    public async Task A_second_stop_while_the_first_is_snapshotting_is_refused_and_the_job_is_disposed_once()
    {
        using var h = new Harness();
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.NextGate = gate;
        h.Start();
        Task<OperationResponse> first = h.Apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "app" }, TestContext.Current.CancellationToken);
        await h.Jobs[0].CheckpointEntered.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        AnalyticsException second = await Assert.ThrowsAsync<AnalyticsException>(() => h.Apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "app", Force = true }, TestContext.Current.CancellationToken));
        Assert.Equal("ResourceInUseException", second.ErrorCode);
        gate.SetResult(true);
        await first.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("READY", h.Apps.GetStatus("app"));
        Assert.Equal(1, h.Jobs[0].Disposals);
        Assert.Single(h.Apps.ListApplicationSnapshots(new ListApplicationSnapshotsRequest { ApplicationName = "app" }).SnapshotSummaries!);
    }

    // ---- the breaker's findings F1-F4 (/work/findings/analytics.md), fixed: an update of a RUNNING application is
    // UPDATING until its job restarted, so what would act on the job it replaces is refused; a stop always completes.

    [Fact]
    public async Task F1_a_stop_whose_snapshot_is_cancelled_leaves_the_application_ready_with_its_job_disposed()
    {
        using var h = new Harness();
        h.NextGate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Start();
        using var cts = new CancellationTokenSource();
        Task<OperationResponse> stop = h.Apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "app" }, cts.Token);
        await h.Jobs[0].CheckpointEntered.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stop);
        Assert.Equal("READY", h.Apps.GetStatus("app"));
        Assert.Equal(0, h.Live);
        Assert.Equal(1, h.Jobs[0].Disposals);
    }

    [Fact]
    public async Task F2_a_stop_during_a_running_update_is_refused_and_the_updated_job_is_the_only_one_running()
    {
        using var h = new Harness();
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.NextGate = gate;
        h.Start();
        h.NextGate = null;
        Task<UpdateApplicationResponse> update = h.UpdateAsync(h.Version);
        await h.Jobs[0].CheckpointEntered.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("UPDATING", h.Apps.GetStatus("app"));
        var refused = await Assert.ThrowsAsync<AnalyticsException>(() => h.Apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "app", Force = true }, TestContext.Current.CancellationToken));
        Assert.Equal("ResourceInUseException", refused.ErrorCode);
        gate.SetResult(true);
        await update.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("RUNNING", h.Apps.GetStatus("app"));
        Assert.Equal(1, h.Live);
        Assert.All(h.Jobs, j => Assert.InRange(j.Disposals, 0, 1));
    }

    [Fact]
    public async Task F3_a_second_update_while_the_first_restarts_the_job_is_refused_and_one_job_runs()
    {
        using var h = new Harness();
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.NextGate = gate;
        h.Start();
        h.NextGate = null;
        Task<UpdateApplicationResponse> first = h.UpdateAsync(1);
        await h.Jobs[0].CheckpointEntered.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<AnalyticsException>(() => h.UpdateAsync(2)); // the version the first update made
        Assert.Equal("ResourceInUseException", refused.ErrorCode);
        gate.SetResult(true);
        await first.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("RUNNING", h.Apps.GetStatus("app"));
        Assert.Equal(1, h.Live);
        Assert.All(h.Jobs, j => Assert.InRange(j.Disposals, 0, 1));
    }

    [Fact]
    public async Task F4_a_delete_during_a_running_update_is_refused_and_no_job_outlives_a_later_delete()
    {
        using var h = new Harness();
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.NextGate = gate;
        h.Start();
        h.NextGate = null;
        DateTime created = h.Apps.DescribeApplication(new DescribeApplicationRequest { ApplicationName = "app" }).ApplicationDetail!.CreateTimestamp!.Value;
        Task<UpdateApplicationResponse> update = h.UpdateAsync(1);
        await h.Jobs[0].CheckpointEntered.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<AnalyticsException>(() => h.Apps.DeleteApplicationAsync(new DeleteApplicationRequest { ApplicationName = "app", CreateTimestamp = created }));
        Assert.Equal("ResourceInUseException", refused.ErrorCode);
        gate.SetResult(true);
        await update.WaitAsync(Wait, TestContext.Current.CancellationToken);
        await h.Apps.DeleteApplicationAsync(new DeleteApplicationRequest { ApplicationName = "app", CreateTimestamp = created });
        Assert.Null(h.Apps.GetStatus("app"));
        Assert.Equal(0, h.Live);
    }
}
