namespace StreamCore.Server.Tests;

/// <summary>
/// Tests that need an external tool (the AWS CLI, node and the JavaScript SDK) skip where it is missing on a
/// developer's machine, but fail under CI (CI=true), where .ci/run installs it: a missing tool there is a broken
/// install step, not a reason to pass.
/// </summary>
internal static class RequiredTool
{
    public static void Require(bool present, string missing)
    {
        if (present)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(missing);
        }

        Assert.Skip(missing);
    }
}
