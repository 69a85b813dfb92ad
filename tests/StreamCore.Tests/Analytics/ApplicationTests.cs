using System.Text;
using StreamCore.Analytics;
using StreamCore.Analytics.Applications;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// Kinesis Analytics v2 applications on a fake clock: create and validate every member before anything changes,
/// versions and conditional tokens, READY -> STARTING -> RUNNING -> STOPPING -> READY with the status delay, registered
/// .NET pipelines started with the configured parallelism, snapshots and the three restore types, and delete by
/// creation time.
/// </summary>
public class ApplicationTests
{
    private static CreateApplicationRequest Seed(string name = "flink-processor", bool snapshots = true) => new()
    {
        ApplicationName = name,
        RuntimeEnvironment = "FLINK-1_15",
        ServiceExecutionRole = "arn:aws:iam::123456789012:role/KinesisAnalyticsRole",
        ApplicationConfiguration = new ApplicationConfiguration
        {
            FlinkApplicationConfiguration = new FlinkApplicationConfiguration { ParallelismConfiguration = new ParallelismConfiguration { ConfigurationType = "CUSTOM", Parallelism = 4, ParallelismPerKPU = 1, AutoScalingEnabled = true } },
            ApplicationCodeConfiguration = new ApplicationCodeConfiguration { CodeContentType = "ZIPFILE", CodeContent = new CodeContent { S3ContentLocation = new S3ContentLocation { BucketARN = "arn:aws:s3:::my-apps-bucket", FileKey = "flink-app.jar" } } },
            ApplicationSnapshotConfiguration = new ApplicationSnapshotConfiguration { SnapshotsEnabled = snapshots },
            EnvironmentProperties = new EnvironmentProperties { PropertyGroups = [new PropertyGroup { PropertyGroupId = "app", PropertyMap = new() { ["stream"] = "clicks" } }] },
        },
    };

    private static AnalyticsException Fails(string code, Action action)
    {
        AnalyticsException error = Assert.Throws<AnalyticsException>(action);
        Assert.Equal(code, error.ErrorCode);
        return error;
    }

    private static async Task<AnalyticsException> FailsAsync(string code, Func<Task> action)
    {
        AnalyticsException error = await Assert.ThrowsAsync<AnalyticsException>(action);
        Assert.Equal(code, error.ErrorCode);
        return error;
    }

    [Fact]
    public void Create_validates_every_member_before_anything_is_created()
    {
        using var t = new TestEngine();
        AnalyticsApplications apps = AnalyticsApplications.For(t.Engine);
        Assert.Same(apps, AnalyticsApplications.For(t.Engine));

        Assert.Contains("at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", Fails("InvalidArgumentException", () => apps.CreateApplication(Seed("bad name"))).Message, StringComparison.Ordinal);
        CreateApplicationRequest runtime = Seed();
        runtime.RuntimeEnvironment = "FLINK-9_9";
        Assert.Contains("Member must satisfy enum value set: [SQL-1_0, FLINK-1_6", Fails("InvalidArgumentException", () => apps.CreateApplication(runtime)).Message, StringComparison.Ordinal);
        CreateApplicationRequest role = Seed();
        role.ServiceExecutionRole = "role/KinesisAnalyticsRole";
        Assert.Contains("at 'serviceExecutionRole'", Fails("InvalidArgumentException", () => apps.CreateApplication(role)).Message, StringComparison.Ordinal);
        CreateApplicationRequest parallelism = Seed();
        parallelism.ApplicationConfiguration!.FlinkApplicationConfiguration!.ParallelismConfiguration!.Parallelism = 0;
        Assert.Contains("parallelismConfiguration.parallelism' failed to satisfy constraint: Member must have value greater than or equal to 1", Fails("InvalidArgumentException", () => apps.CreateApplication(parallelism)).Message, StringComparison.Ordinal);
        CreateApplicationRequest type = Seed();
        type.ApplicationConfiguration!.FlinkApplicationConfiguration!.ParallelismConfiguration!.ConfigurationType = null;
        Assert.Contains("Value null at 'applicationConfiguration.flinkApplicationConfiguration.parallelismConfiguration.configurationType'", Fails("InvalidArgumentException", () => apps.CreateApplication(type)).Message, StringComparison.Ordinal);
        CreateApplicationRequest description = Seed();
        description.ApplicationDescription = new string('x', 1025);
        Fails("InvalidArgumentException", () => apps.CreateApplication(description));
        CreateApplicationRequest code = Seed();
        code.ApplicationConfiguration!.ApplicationCodeConfiguration!.CodeContentType = "JAR";
        Fails("InvalidArgumentException", () => apps.CreateApplication(code));
        Assert.Empty(apps.ListApplications(new ListApplicationsRequest()).ApplicationSummaries);

        ApplicationDetail detail = apps.CreateApplication(Seed()).ApplicationDetail!;
        Assert.Equal(("READY", 1L, "arn:aws:kinesisanalytics:us-east-1:000000000000:application/flink-processor"), (detail.ApplicationStatus, detail.ApplicationVersionId, detail.ApplicationARN));
        Assert.Equal(4, detail.ApplicationConfigurationDescription!.FlinkApplicationConfigurationDescription!.ParallelismConfigurationDescription!.CurrentParallelism);
        Assert.Equal("flink-app.jar", detail.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription!.CodeContentDescription!.S3ApplicationCodeLocationDescription!.FileKey);
        Assert.Contains("already exists", Fails("ResourceInUseException", () => apps.CreateApplication(Seed())).Message, StringComparison.Ordinal);
        Assert.Contains("Application nope is not found", Fails("ResourceNotFoundException", () => apps.DescribeApplication(new DescribeApplicationRequest { ApplicationName = "nope" })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void List_pages_by_name()
    {
        using var t = new TestEngine();
        AnalyticsApplications apps = AnalyticsApplications.For(t.Engine);
        foreach (string name in new[] { "c", "a", "b" })
        {
            apps.CreateApplication(Seed(name));
        }

        ListApplicationsResponse first = apps.ListApplications(new ListApplicationsRequest { Limit = 2 });
        Assert.Equal(["a", "b"], first.ApplicationSummaries.Select(s => s.ApplicationName));
        ListApplicationsResponse second = apps.ListApplications(new ListApplicationsRequest { Limit = 2, NextToken = first.NextToken });
        Assert.Equal(["c"], second.ApplicationSummaries.Select(s => s.ApplicationName));
        Assert.Null(second.NextToken);
        Fails("InvalidArgumentException", () => apps.ListApplications(new ListApplicationsRequest { Limit = 51 }));
    }

    [Fact]
    public async Task Update_needs_the_current_version_or_token_and_increments_the_version()
    {
        using var t = new TestEngine();
        AnalyticsApplications apps = AnalyticsApplications.For(t.Engine);
        ApplicationDetail created = apps.CreateApplication(Seed()).ApplicationDetail!;
        await FailsAsync("InvalidArgumentException", () => apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor" }, default));
        AnalyticsException stale = await FailsAsync("ConcurrentModificationException", () => apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor", CurrentApplicationVersionId = 7 }, default));
        Assert.Contains("retry with CurrentApplicationVersionId 1", stale.Message, StringComparison.Ordinal);

        var parallelism = new ApplicationConfigurationUpdate { FlinkApplicationConfigurationUpdate = new FlinkApplicationConfigurationUpdate { ParallelismConfigurationUpdate = new ParallelismConfigurationUpdate { ParallelismUpdate = 2 } } };
        ApplicationDetail v2 = (await apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor", CurrentApplicationVersionId = 1, ApplicationConfigurationUpdate = parallelism }, default)).ApplicationDetail!;
        Assert.Equal((2L, 1L, 2), (v2.ApplicationVersionId, v2.ApplicationVersionUpdatedFrom!.Value, v2.ApplicationConfigurationDescription!.FlinkApplicationConfigurationDescription!.ParallelismConfigurationDescription!.CurrentParallelism!.Value));
        await FailsAsync("ConcurrentModificationException", () => apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor", ConditionalToken = created.ConditionalToken }, default));
        ApplicationDetail v3 = (await apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor", ConditionalToken = v2.ConditionalToken, ServiceExecutionRoleUpdate = "arn:aws:iam::123456789012:role/Other" }, default)).ApplicationDetail!;
        Assert.Equal((3L, "arn:aws:iam::123456789012:role/Other"), (v3.ApplicationVersionId, v3.ServiceExecutionRole));
        await FailsAsync("InvalidArgumentException", () => apps.UpdateApplicationAsync(new UpdateApplicationRequest { ApplicationName = "flink-processor", CurrentApplicationVersionId = 3, ServiceExecutionRoleUpdate = "nope" }, default));
        Assert.Equal(3, apps.DescribeApplication(new DescribeApplicationRequest { ApplicationName = "flink-processor" }).ApplicationDetail!.ApplicationVersionId);
    }

    [Fact]
    public async Task Starting_without_registered_code_says_how_to_register_it()
    {
        using var t = new TestEngine();
        AnalyticsApplications apps = AnalyticsApplications.For(t.Engine);
        apps.CreateApplication(Seed());
        AnalyticsException error = Fails("InvalidApplicationConfigurationException", () => apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor" }));
        Assert.Contains("AnalyticsApplications.For(engine).RegisterCode(\"flink-processor\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("arn:aws:s3:::my-apps-bucket/flink-app.jar is recorded, not executed", error.Message, StringComparison.Ordinal);
        Assert.Equal("READY", apps.GetStatus("flink-processor"));
        Assert.Contains("only a RUNNING application can be stopped", (await FailsAsync("ResourceInUseException", () => apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "flink-processor" }, default))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_pipeline_runs_with_the_configured_parallelism_and_restores_from_snapshots()
    {
        using var t = new TestEngine();
        DataStream clicks = t.Engine.CreateStream("clicks", 2);
        WindowQuery<string, string, long> query = WindowQuery.Of<string>().WithArrivalTime().KeyBy(p => p).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<string>());
        AnalyticsApplications apps = AnalyticsApplications.For(t.Engine);
        apps.StatusDelay = TimeSpan.FromSeconds(10);
        var contexts = new List<AnalyticsApplicationContext>();
        var runs = new List<WindowRun<string, string, long>>();
        apps.RegisterCode("flink-processor", context =>
        {
            contexts.Add(context);
            WindowRun<string, string, long> run = query.Start(context.Engine.GetStream(context.PropertyGroups["app"]["stream"]), d => Encoding.UTF8.GetString(d.Span), options: context.RunOptions());
            runs.Add(run);
            return run;
        });
        ApplicationDetail created = apps.CreateApplication(Seed()).ApplicationDetail!;

        apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor" });
        Assert.Equal("STARTING", apps.GetStatus("flink-processor"));
        Fails("ResourceInUseException", () => apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor" }));
        t.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("RUNNING", apps.GetStatus("flink-processor"));
        Assert.Equal(4, contexts[0].Parallelism);
        Assert.Null(contexts[0].RestoreFrom);

        clicks.Append("/home", "/home"u8);
        clicks.Append("/cart", "/cart"u8);
        await WaitForAsync(() => runs[0].RecordsIn == 2);
        await apps.CreateApplicationSnapshotAsync(new CreateApplicationSnapshotRequest { ApplicationName = "flink-processor", SnapshotName = "s1" }, default);
        await FailsAsync("ResourceInUseException", () => apps.CreateApplicationSnapshotAsync(new CreateApplicationSnapshotRequest { ApplicationName = "flink-processor", SnapshotName = "s1" }, default));
        SnapshotDetails s1 = apps.DescribeApplicationSnapshot(new DescribeApplicationSnapshotRequest { ApplicationName = "flink-processor", SnapshotName = "s1" }).SnapshotDetails!;
        Assert.Equal(("READY", 1L), (s1.SnapshotStatus, s1.ApplicationVersionId));

        await apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "flink-processor" }, default);
        Assert.Equal("STOPPING", apps.GetStatus("flink-processor"));
        t.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("READY", apps.GetStatus("flink-processor"));
        List<SnapshotDetails> snapshots = apps.ListApplicationSnapshots(new ListApplicationSnapshotsRequest { ApplicationName = "flink-processor" }).SnapshotSummaries;
        Assert.Equal(2, snapshots.Count); // s1 and the one taken at the stop

        Fails("ResourceNotFoundException", () => apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor", RunConfiguration = new RunConfiguration { ApplicationRestoreConfiguration = new ApplicationRestoreConfiguration { ApplicationRestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT", SnapshotName = "nope" } } }));
        Fails("InvalidArgumentException", () => apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor", RunConfiguration = new RunConfiguration { ApplicationRestoreConfiguration = new ApplicationRestoreConfiguration { ApplicationRestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT" } } }));
        Assert.Equal("READY", apps.GetStatus("flink-processor"));

        // Latest (the stop's snapshot: both records), custom (s1), skip (nothing).
        foreach ((ApplicationRestoreConfiguration? restore, bool restored) in new (ApplicationRestoreConfiguration?, bool)[]
        {
            (null, true),
            (new ApplicationRestoreConfiguration { ApplicationRestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT", SnapshotName = "s1" }, true),
            (new ApplicationRestoreConfiguration { ApplicationRestoreType = "SKIP_RESTORE_FROM_SNAPSHOT" }, false),
        })
        {
            apps.StartApplication(new StartApplicationRequest { ApplicationName = "flink-processor", RunConfiguration = restore is null ? null : new RunConfiguration { ApplicationRestoreConfiguration = restore } });
            t.Clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("RUNNING", apps.GetStatus("flink-processor"));
            Assert.Equal(restored, contexts[^1].RestoreFrom is { } from && from.ShardPositions.Count > 0);
            if (restored)
            {
                await WaitForAsync(() => runs[^1].RecordsIn == 2); // counts on from the snapshot's state
            }

            await apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "flink-processor", Force = true }, default);
            t.Clock.Advance(TimeSpan.FromSeconds(10));
        }

        Fails("InvalidArgumentException", () => apps.DeleteApplicationAsync(new DeleteApplicationRequest { ApplicationName = "flink-processor", CreateTimestamp = created.CreateTimestamp!.Value.AddSeconds(1) }).GetAwaiter().GetResult());
        await apps.DeleteApplicationAsync(new DeleteApplicationRequest { ApplicationName = "flink-processor", CreateTimestamp = created.CreateTimestamp });
        Assert.Null(apps.GetStatus("flink-processor"));
        Assert.All(runs, run => Assert.True(run.Completion.IsCompleted));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }
}
