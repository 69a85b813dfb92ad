using System.Globalization;
using System.Security.Cryptography;

namespace StreamCore.Analytics.Applications;

/// <summary>The control-plane operations, each validating everything before it changes anything.</summary>
public sealed partial class AnalyticsApplications
{
    internal CreateApplicationResponse CreateApplication(CreateApplicationRequest request)
    {
        ApplicationRules.Create(request);
        lock (_gate)
        {
            if (_applications.ContainsKey(request.ApplicationName!))
            {
                throw AnalyticsException.InUse($"Application {request.ApplicationName} already exists.");
            }

            DateTime now = Now;
            var app = new Application
            {
                Name = request.ApplicationName!,
                Arn = Arn(request.ApplicationName!),
                RuntimeEnvironment = request.RuntimeEnvironment!,
                Mode = request.ApplicationMode ?? "STREAMING",
                CreateTimestamp = now,
                LastUpdateTimestamp = now,
                Description = request.ApplicationDescription,
                ServiceExecutionRole = request.ServiceExecutionRole,
                Configuration = request.ApplicationConfiguration ?? new ApplicationConfiguration(),
                Logging = request.CloudWatchLoggingOptions ?? [],
            };
            _applications.Add(app.Name, app);
            return new CreateApplicationResponse { ApplicationDetail = Detail(app) };
        }
    }

    internal DescribeApplicationResponse DescribeApplication(DescribeApplicationRequest request)
    {
        lock (_gate)
        {
            return new DescribeApplicationResponse { ApplicationDetail = Detail(Find(request.ApplicationName)) };
        }
    }

    internal ListApplicationsResponse ListApplications(ListApplicationsRequest request)
    {
        ApplicationRules.Limit(request.Limit, "limit");
        lock (_gate)
        {
            string[] names = [.. _applications.Keys.Order(StringComparer.Ordinal)];
            int start = 0;
            if (request.NextToken is { } token)
            {
                start = Array.FindIndex(names, n => string.CompareOrdinal(n, FromToken(token)) > 0);
                start = start < 0 ? names.Length : start;
            }

            int limit = request.Limit ?? 50;
            var page = names.Skip(start).Take(limit).Select(n => _applications[n]).ToList();
            return new ListApplicationsResponse
            {
                ApplicationSummaries = [.. page.Select(a => new ApplicationSummary { ApplicationName = a.Name, ApplicationARN = a.Arn, ApplicationStatus = a.Status, ApplicationVersionId = a.VersionId, RuntimeEnvironment = a.RuntimeEnvironment, ApplicationMode = a.Mode })],
                NextToken = start + limit < names.Length ? ToToken(page[^1].Name) : null,
            };
        }
    }

    internal async Task<UpdateApplicationResponse> UpdateApplicationAsync(UpdateApplicationRequest request, CancellationToken cancellationToken)
    {
        ApplicationRules.Update(request);
        IAnalyticsJob? restart;
        Application app;
        lock (_gate)
        {
            app = Find(request.ApplicationName);
            if (request.CurrentApplicationVersionId is { } version && version != app.VersionId)
            {
                throw AnalyticsException.ConcurrentModification($"The application version {version} does not match the current version {app.VersionId} of application {app.Name}; describe the application and retry with CurrentApplicationVersionId {app.VersionId}.");
            }

            if (request.ConditionalToken is { } token && token != Token(app.Name, app.VersionId))
            {
                throw AnalyticsException.ConcurrentModification($"The ConditionalToken does not match the current version {app.VersionId} of application {app.Name}; describe the application for its current ConditionalToken.");
            }

            if (app.Status is not (ApplicationStatus.Ready or ApplicationStatus.Running))
            {
                throw AnalyticsException.InUse($"Application {app.Name} is in {app.Status} status; it can be updated when READY or RUNNING.");
            }

            if (request.RunConfigurationUpdate?.ApplicationRestoreConfiguration is { ApplicationRestoreType: "RESTORE_FROM_CUSTOM_SNAPSHOT", SnapshotName: { } snapshot } && app.Snapshots.All(s => s.Name != snapshot))
            {
                throw AnalyticsException.NotFound($"Snapshot {snapshot} of application {app.Name} is not found.");
            }

            Apply(app, request);
            app.UpdatedFrom = app.VersionId;
            app.VersionId++;
            app.LastUpdateTimestamp = Now;
            restart = app.Status == ApplicationStatus.Running ? app.Job : null;
            if (restart is not null)
            {
                // UPDATING, as KDA shows it, until the job restarted: stops, deletes, snapshots and other updates are
                // refused meanwhile (ResourceInUseException), so none of them acts on a job this update replaces.
                app.Status = ApplicationStatus.Updating;
            }
        }

        if (restart is not null)
        {
            // A running application restarts with its new configuration from its current state, as KDA does.
            WindowCheckpoint checkpoint;
            try
            {
                checkpoint = await restart.CheckpointAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    app.Status = ApplicationStatus.Running; // not restarted: the job runs on as it was
                }

                throw;
            }

            await restart.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                app.Job = StartJob(app, checkpoint);
                app.Status = app.Job is null ? ApplicationStatus.Ready : ApplicationStatus.Running;
            }
        }

        lock (_gate)
        {
            return new UpdateApplicationResponse { ApplicationDetail = Detail(app), OperationId = NextOperationId() };
        }
    }

    internal async Task DeleteApplicationAsync(DeleteApplicationRequest request)
    {
        IAnalyticsJob? job;
        lock (_gate)
        {
            Application app = Find(request.ApplicationName);
            if (request.CreateTimestamp is not { } created)
            {
                throw AnalyticsException.InvalidArgument("1 validation error detected: Value null at 'createTimestamp' failed to satisfy constraint: Member must not be null");
            }

            if (!SameSecond(created, app.CreateTimestamp))
            {
                throw AnalyticsException.InvalidArgument($"CreateTimestamp {Format(created)} does not match the creation time {Format(app.CreateTimestamp)} of application {app.Name}.");
            }

            if (app.Status is ApplicationStatus.Starting or ApplicationStatus.Stopping or ApplicationStatus.Updating)
            {
                throw AnalyticsException.InUse($"Application {app.Name} is in {app.Status} status; delete it when READY or RUNNING.");
            }

            job = app.Job;
            app.Transition?.Dispose();
            _applications.Remove(app.Name);
        }

        if (job is not null)
        {
            await job.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal OperationResponse StartApplication(StartApplicationRequest request)
    {
        if (request.RunConfiguration?.ApplicationRestoreConfiguration is { } restore)
        {
            ApplicationRules.Restore(restore, "runConfiguration.applicationRestoreConfiguration");
        }

        lock (_gate)
        {
            Application app = Find(request.ApplicationName);
            if (app.Status != ApplicationStatus.Ready)
            {
                throw AnalyticsException.InUse($"Application {app.Name} is in {app.Status} status; only a READY application can be started.");
            }

            if (!_code.ContainsKey(app.Name))
            {
                string location = app.Configuration.ApplicationCodeConfiguration?.CodeContent?.S3ContentLocation is { } s3 ? $" (its code location {s3.BucketARN}/{s3.FileKey} is recorded, not executed)" : string.Empty;
                throw AnalyticsException.InvalidConfiguration(
                    $"Application {app.Name} has no code registered in this process{location}. StreamCore runs an application's code as a .NET pipeline registered under its name: " +
                    $"AnalyticsApplications.For(engine).RegisterCode(\"{app.Name}\", context => query.Start(..., options: context.RunOptions())), then start it.");
            }

            ApplicationRestoreConfiguration? restoreWith = request.RunConfiguration?.ApplicationRestoreConfiguration ?? app.LastRun?.ApplicationRestoreConfiguration;
            Snapshot? from = SnapshotToRestore(app, restoreWith);
            app.LastRun = request.RunConfiguration ?? app.LastRun;
            app.Status = ApplicationStatus.Starting;
            Transition(app, () =>
            {
                app.Job = StartJob(app, from?.Checkpoint);
                app.Status = app.Job is null ? ApplicationStatus.Ready : ApplicationStatus.Running;
            });
            return new OperationResponse { OperationId = NextOperationId() };
        }
    }

    internal async Task<OperationResponse> StopApplicationAsync(StopApplicationRequest request, CancellationToken cancellationToken)
    {
        IAnalyticsJob? job;
        Application app;
        lock (_gate)
        {
            app = Find(request.ApplicationName);
            if (app.Status is not (ApplicationStatus.Running or ApplicationStatus.Starting))
            {
                throw AnalyticsException.InUse($"Application {app.Name} is in {app.Status} status; only a RUNNING application can be stopped.");
            }

            app.Transition?.Dispose();
            job = app.Job;
            app.Job = null;
            app.Status = ApplicationStatus.Stopping;
        }

        try
        {
            if (job is not null && request.Force != true && app.SnapshotsEnabled)
            {
                // KDA takes a snapshot when a Flink application with snapshots enabled stops (not when forced).
                WindowCheckpoint checkpoint = await job.CheckpointAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    DateTime now = Now;
                    app.Snapshots.Add(new Snapshot($"stop-{app.VersionId.ToString(CultureInfo.InvariantCulture)}-{new DateTimeOffset(now).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}", app.VersionId, now, app.RuntimeEnvironment, checkpoint));
                }
            }
        }
        finally
        {
            // Once STOPPING, the stop completes: a snapshot that failed or was cancelled (its error goes to the caller)
            // still leaves the job disposed and the application READY, never a STOPPING application with a live job.
            if (job is not null)
            {
                await job.DisposeAsync().ConfigureAwait(false);
            }

            lock (_gate)
            {
                Transition(app, () => app.Status = ApplicationStatus.Ready);
            }
        }

        lock (_gate)
        {
            return new OperationResponse { OperationId = NextOperationId() };
        }
    }

    internal async Task CreateApplicationSnapshotAsync(CreateApplicationSnapshotRequest request, CancellationToken cancellationToken)
    {
        ApplicationRules.ApplicationName(request.ApplicationName);
        ApplicationRules.SnapshotName(request.SnapshotName);
        IAnalyticsJob job;
        Application app;
        lock (_gate)
        {
            app = Find(request.ApplicationName);
            if (!app.SnapshotsEnabled)
            {
                throw AnalyticsException.InvalidRequest($"Snapshots are not enabled for application {app.Name}; enable them with ApplicationSnapshotConfiguration SnapshotsEnabled=true.");
            }

            if (app.Status != ApplicationStatus.Running || app.Job is null)
            {
                throw AnalyticsException.InUse($"Application {app.Name} is in {app.Status} status; snapshots are taken of a RUNNING application.");
            }

            if (app.Snapshots.Any(s => s.Name == request.SnapshotName))
            {
                throw AnalyticsException.InUse($"Snapshot {request.SnapshotName} of application {app.Name} already exists.");
            }

            job = app.Job;
        }

        WindowCheckpoint checkpoint = await job.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (app.Snapshots.Any(s => s.Name == request.SnapshotName))
            {
                throw AnalyticsException.InUse($"Snapshot {request.SnapshotName} of application {app.Name} already exists.");
            }

            app.Snapshots.Add(new Snapshot(request.SnapshotName!, app.VersionId, Now, app.RuntimeEnvironment, checkpoint));
        }
    }

    internal ListApplicationSnapshotsResponse ListApplicationSnapshots(ListApplicationSnapshotsRequest request)
    {
        ApplicationRules.Limit(request.Limit, "limit");
        lock (_gate)
        {
            Application app = Find(request.ApplicationName);
            int start = request.NextToken is { } token && int.TryParse(FromToken(token), NumberStyles.None, CultureInfo.InvariantCulture, out int at) ? at : 0;
            int limit = request.Limit ?? 50;
            return new ListApplicationSnapshotsResponse
            {
                SnapshotSummaries = [.. app.Snapshots.Skip(start).Take(limit).Select(Details)],
                NextToken = start + limit < app.Snapshots.Count ? ToToken((start + limit).ToString(CultureInfo.InvariantCulture)) : null,
            };
        }
    }

    internal DescribeApplicationSnapshotResponse DescribeApplicationSnapshot(DescribeApplicationSnapshotRequest request)
    {
        ApplicationRules.SnapshotName(request.SnapshotName);
        lock (_gate)
        {
            Application app = Find(request.ApplicationName);
            return new DescribeApplicationSnapshotResponse { SnapshotDetails = Details(FindSnapshot(app, request.SnapshotName!)) };
        }
    }

    internal void DeleteApplicationSnapshot(DeleteApplicationSnapshotRequest request)
    {
        ApplicationRules.SnapshotName(request.SnapshotName);
        lock (_gate)
        {
            Application app = Find(request.ApplicationName);
            Snapshot snapshot = FindSnapshot(app, request.SnapshotName!);
            if (request.SnapshotCreationTimestamp is not { } created)
            {
                throw AnalyticsException.InvalidArgument("1 validation error detected: Value null at 'snapshotCreationTimestamp' failed to satisfy constraint: Member must not be null");
            }

            if (!SameSecond(created, snapshot.Created))
            {
                throw AnalyticsException.InvalidArgument($"SnapshotCreationTimestamp {Format(created)} does not match the creation time {Format(snapshot.Created)} of snapshot {snapshot.Name}.");
            }

            app.Snapshots.Remove(snapshot);
        }
    }

    private static Snapshot FindSnapshot(Application app, string name) =>
        app.Snapshots.FirstOrDefault(s => s.Name == name) ?? throw AnalyticsException.NotFound($"Snapshot {name} of application {app.Name} is not found.");

    private static Snapshot? SnapshotToRestore(Application app, ApplicationRestoreConfiguration? restore) => restore?.ApplicationRestoreType switch
    {
        "SKIP_RESTORE_FROM_SNAPSHOT" => null,
        "RESTORE_FROM_CUSTOM_SNAPSHOT" => FindSnapshot(app, restore.SnapshotName!),
        _ => app.SnapshotsEnabled ? app.Snapshots.LastOrDefault() : null, // RESTORE_FROM_LATEST_SNAPSHOT, the default
    };

    /// <summary>Starts the registered code; a failure to start leaves the application READY (and is rethrown on the caller's path only when synchronous).</summary>
    private IAnalyticsJob? StartJob(Application app, WindowCheckpoint? restoreFrom)
    {
        if (!_code.TryGetValue(app.Name, out Func<AnalyticsApplicationContext, IAnalyticsJob>? code))
        {
            return null;
        }

        var groups = (app.Configuration.EnvironmentProperties?.PropertyGroups ?? [])
            .ToDictionary(g => g.PropertyGroupId!, g => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(g.PropertyMap!, StringComparer.Ordinal), StringComparer.Ordinal);
        try
        {
            return code(new AnalyticsApplicationContext(app.Name, _engine, app.Parallelism, restoreFrom, groups));
        }
#pragma warning disable CA1031 // user code: a pipeline that fails to start leaves the application READY, as a failed start does in KDA
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Moves to the next status after <see cref="StatusDelay"/> on the engine's clock (at once when zero). Under the lock.</summary>
    private void Transition(Application app, Action next)
    {
        app.Transition?.Dispose();
        app.Transition = null;
        if (StatusDelay <= TimeSpan.Zero)
        {
            next();
            return;
        }

        app.Transition = _engine.TimeProvider.CreateTimer(
            _ =>
            {
                lock (_gate)
                {
                    if (_applications.TryGetValue(app.Name, out Application? current) && ReferenceEquals(current, app) && app.Transition is not null)
                    {
                        app.Transition.Dispose();
                        app.Transition = null;
                        next();
                    }
                }
            },
            null,
            StatusDelay,
            Timeout.InfiniteTimeSpan);
    }

    private static void Apply(Application app, UpdateApplicationRequest request)
    {
        ApplicationConfiguration configuration = app.Configuration;
        if (request.ServiceExecutionRoleUpdate is { } role)
        {
            app.ServiceExecutionRole = role;
        }

        if (request.ApplicationConfigurationUpdate is { } update)
        {
            if (update.FlinkApplicationConfigurationUpdate?.ParallelismConfigurationUpdate is { } parallelism)
            {
                configuration.FlinkApplicationConfiguration ??= new FlinkApplicationConfiguration();
                ParallelismConfiguration current = configuration.FlinkApplicationConfiguration.ParallelismConfiguration ??= new ParallelismConfiguration { ConfigurationType = "DEFAULT" };
                current.ConfigurationType = parallelism.ConfigurationTypeUpdate ?? current.ConfigurationType;
                current.Parallelism = parallelism.ParallelismUpdate ?? current.Parallelism;
                current.ParallelismPerKPU = parallelism.ParallelismPerKPUUpdate ?? current.ParallelismPerKPU;
                current.AutoScalingEnabled = parallelism.AutoScalingEnabledUpdate ?? current.AutoScalingEnabled;
            }

            if (update.EnvironmentPropertyUpdates is { } properties)
            {
                configuration.EnvironmentProperties = new EnvironmentProperties { PropertyGroups = properties.PropertyGroups };
            }

            if (update.ApplicationCodeConfigurationUpdate is { } code)
            {
                ApplicationCodeConfiguration current = configuration.ApplicationCodeConfiguration ??= new ApplicationCodeConfiguration();
                current.CodeContentType = code.CodeContentTypeUpdate ?? current.CodeContentType;
                if (code.CodeContentUpdate is { } content)
                {
                    current.CodeContent = new CodeContent
                    {
                        TextContent = content.TextContentUpdate,
                        ZipFileContent = content.ZipFileContentUpdate,
                        S3ContentLocation = content.S3ContentLocationUpdate is { } s3
                            ? new S3ContentLocation { BucketARN = s3.BucketARNUpdate ?? current.CodeContent?.S3ContentLocation?.BucketARN, FileKey = s3.FileKeyUpdate ?? current.CodeContent?.S3ContentLocation?.FileKey, ObjectVersion = s3.ObjectVersionUpdate }
                            : null,
                    };
                }
            }

            if (update.ApplicationSnapshotConfigurationUpdate?.SnapshotsEnabledUpdate is { } enabled)
            {
                configuration.ApplicationSnapshotConfiguration = new ApplicationSnapshotConfiguration { SnapshotsEnabled = enabled };
            }
        }

        if (request.RunConfigurationUpdate is { } run)
        {
            app.LastRun = new RunConfiguration { ApplicationRestoreConfiguration = run.ApplicationRestoreConfiguration, FlinkRunConfiguration = run.FlinkRunConfiguration };
        }
    }

    private static ApplicationDetail Detail(Application app)
    {
        ApplicationConfiguration c = app.Configuration;
        FlinkApplicationConfiguration? flink = c.FlinkApplicationConfiguration;
        CodeContent? code = c.ApplicationCodeConfiguration?.CodeContent;
        return new ApplicationDetail
        {
            ApplicationARN = app.Arn,
            ApplicationDescription = app.Description,
            ApplicationName = app.Name,
            RuntimeEnvironment = app.RuntimeEnvironment,
            ServiceExecutionRole = app.ServiceExecutionRole,
            ApplicationStatus = app.Status,
            ApplicationVersionId = app.VersionId,
            ApplicationVersionUpdatedFrom = app.UpdatedFrom,
            CreateTimestamp = app.CreateTimestamp,
            LastUpdateTimestamp = app.LastUpdateTimestamp,
            ConditionalToken = Token(app.Name, app.VersionId),
            ApplicationMode = app.Mode,
            CloudWatchLoggingOptionDescriptions = app.Logging.Count == 0 ? null : [.. app.Logging.Select((l, i) => new CloudWatchLoggingOptionDescription { CloudWatchLoggingOptionId = (i + 1).ToString("x", CultureInfo.InvariantCulture) + ".1", LogStreamARN = l.LogStreamARN })],
            ApplicationConfigurationDescription = new ApplicationConfigurationDescription
            {
                FlinkApplicationConfigurationDescription = app.RuntimeEnvironment.StartsWith("SQL", StringComparison.Ordinal) ? null : new FlinkApplicationConfigurationDescription
                {
                    CheckpointConfigurationDescription = new CheckpointConfigurationDescription
                    {
                        ConfigurationType = flink?.CheckpointConfiguration?.ConfigurationType ?? "DEFAULT",
                        CheckpointingEnabled = flink?.CheckpointConfiguration?.CheckpointingEnabled ?? true,
                        CheckpointInterval = flink?.CheckpointConfiguration?.CheckpointInterval ?? 60_000,
                        MinPauseBetweenCheckpoints = flink?.CheckpointConfiguration?.MinPauseBetweenCheckpoints ?? 5_000,
                    },
                    MonitoringConfigurationDescription = new MonitoringConfigurationDescription
                    {
                        ConfigurationType = flink?.MonitoringConfiguration?.ConfigurationType ?? "DEFAULT",
                        MetricsLevel = flink?.MonitoringConfiguration?.MetricsLevel ?? "APPLICATION",
                        LogLevel = flink?.MonitoringConfiguration?.LogLevel ?? "INFO",
                    },
                    ParallelismConfigurationDescription = new ParallelismConfigurationDescription
                    {
                        ConfigurationType = flink?.ParallelismConfiguration?.ConfigurationType ?? "DEFAULT",
                        Parallelism = flink?.ParallelismConfiguration?.Parallelism ?? 1,
                        ParallelismPerKPU = flink?.ParallelismConfiguration?.ParallelismPerKPU ?? 1,
                        CurrentParallelism = app.Parallelism,
                        AutoScalingEnabled = flink?.ParallelismConfiguration?.AutoScalingEnabled ?? false,
                    },
                },
                EnvironmentPropertyDescriptions = c.EnvironmentProperties is { } properties ? new EnvironmentPropertyDescriptions { PropertyGroupDescriptions = properties.PropertyGroups } : null,
                ApplicationCodeConfigurationDescription = c.ApplicationCodeConfiguration is { } codeConfiguration ? new ApplicationCodeConfigurationDescription
                {
                    CodeContentType = codeConfiguration.CodeContentType,
                    CodeContentDescription = code is null ? null : new CodeContentDescription
                    {
                        TextContent = code.TextContent,
#pragma warning disable CA5351 // KDA's CodeMD5 is an MD5 of the code by definition, not a security measure
                        CodeMD5 = code.ZipFileContent is { } zip ? Convert.ToHexStringLower(MD5.HashData(zip.ToArray())) : null,
#pragma warning restore CA5351
                        CodeSize = code.ZipFileContent?.Length ?? code.TextContent?.Length,
                        S3ApplicationCodeLocationDescription = code.S3ContentLocation is { } s3 ? new S3ApplicationCodeLocationDescription { BucketARN = s3.BucketARN, FileKey = s3.FileKey, ObjectVersion = s3.ObjectVersion } : null,
                    },
                }
                : null,
                ApplicationSnapshotConfigurationDescription = new ApplicationSnapshotConfigurationDescription { SnapshotsEnabled = app.SnapshotsEnabled },
                RunConfigurationDescription = app.LastRun is { } run ? new RunConfigurationDescription { ApplicationRestoreConfigurationDescription = run.ApplicationRestoreConfiguration, FlinkRunConfigurationDescription = run.FlinkRunConfiguration } : null,
            },
        };
    }

    private static SnapshotDetails Details(Snapshot s) => new()
    {
        SnapshotName = s.Name,
        SnapshotStatus = "READY",
        ApplicationVersionId = s.VersionId,
        SnapshotCreationTimestamp = s.Created,
        RuntimeEnvironment = s.RuntimeEnvironment,
    };

    private static string ToToken(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));

    private static string FromToken(string token)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw AnalyticsException.InvalidArgument($"NextToken {token} is not a token this service returned.");
        }
    }

    // The CLI sends timestamps as whole epoch seconds: a creation time matches to the second.
    private static bool SameSecond(DateTime given, DateTime actual) =>
        given.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond == actual.Ticks / TimeSpan.TicksPerSecond;

    private static string Format(DateTime value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
