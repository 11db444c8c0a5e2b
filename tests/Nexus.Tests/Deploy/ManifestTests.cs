using System.Diagnostics;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Nexus.Tests.Deploy;

/// <summary>
/// The deployment files checked with what this machine can run without a container engine or a cluster: Debian's
/// <c>docker-compose config</c> for Compose, and the Kubernetes manifests parsed as YAML and checked for what a
/// rolling upgrade relies on (probes, grace period vs the drain, selectors, non-root).
/// </summary>
public sealed class ManifestTests
{
    private static readonly string Deploy = Path.Combine(NginxConfig.RepositoryRoot(), "deploy");

    [Fact]
    public async Task The_compose_file_passes_docker_compose_config_with_postgres_three_silos_and_nginx()
    {
        const string compose = "/usr/bin/docker-compose";
        Assert.True(File.Exists(compose), $"{compose} is missing: install Debian's docker-compose (`./nexus test` does it)");
        var info = new ProcessStartInfo(compose) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(Deploy, "compose") };
        foreach (var argument in new[] { "-f", "compose.yaml", "config" })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker-compose config exited with {process.ExitCode}:\n{await errors}");

        var services = (YamlMappingNode)Load(await output).Single().RootNode["services"];
        var names = services.Children.Keys.Select(k => k.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "postgres", "nexus-1", "nexus-2", "nexus-3", "nginx" }, names);
    }

    [Fact]
    public void Every_kubernetes_manifest_parses_and_names_its_kind_and_the_kustomization_lists_only_existing_files()
    {
        var documents = KubernetesDocuments().ToList();
        Assert.NotEmpty(documents);
        foreach (var (file, root) in documents)
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(root, "kind")), $"{file}: no kind");
            if (Scalar(root, "kind") != "Kustomization")
            {
                Assert.False(string.IsNullOrWhiteSpace(Scalar(root, "apiVersion")), $"{file}: no apiVersion");
                Assert.False(string.IsNullOrWhiteSpace(Scalar(root, "metadata", "name")), $"{file}: no metadata.name");
            }
        }
        var kustomization = Single(documents, "Kustomization");
        foreach (var resource in (YamlSequenceNode)kustomization["resources"])
        {
            Assert.True(File.Exists(Path.Combine(Deploy, "k8s", resource.ToString())), $"kustomization lists a missing file: {resource}");
        }
        Assert.Equal(
            new[] { "ConfigMap", "Deployment", "Ingress", "Ingress", "PodDisruptionBudget", "Service" },
            documents.Select(d => Scalar(d.Root, "kind")).Where(k => k != "Kustomization").Order().ToArray());
    }

    [Fact]
    public void The_deployment_probes_readiness_and_liveness_runs_as_non_root_and_its_grace_period_covers_the_drain()
    {
        var documents = KubernetesDocuments().ToList();
        var deployment = Single(documents, "Deployment");
        var pod = (YamlMappingNode)deployment["spec"]["template"]["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children[0];

        Assert.Equal("/readyz", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("true", Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("false", Scalar(container, "securityContext", "allowPrivilegeEscalation"));
        var advertised = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>()
            .Single(e => Scalar(e, "name") == "Nexus__Silo__AdvertisedAddress");
        Assert.Equal("status.podIP", Scalar(advertised, "valueFrom", "fieldRef", "fieldPath"));

        // SIGTERM comes after preStop; the drain (Nexus:Shutdown:Timeout) must end before the kubelet kills the pod.
        var config = (YamlMappingNode)Single(documents, "ConfigMap")["data"];
        var drain = TimeSpan.Parse(Scalar(config, "Nexus__Shutdown__Timeout"), CultureInfo.InvariantCulture);
        var preStop = int.Parse(((YamlSequenceNode)container["lifecycle"]["preStop"]["exec"]["command"]).Children[^1].ToString(), CultureInfo.InvariantCulture);
        var grace = int.Parse(Scalar(pod, "terminationGracePeriodSeconds"), CultureInfo.InvariantCulture);
        Assert.True(preStop + drain.TotalSeconds < grace, $"preStop {preStop} s + drain {drain.TotalSeconds} s must fit in the grace period {grace} s");

        var labels = (YamlMappingNode)deployment["spec"]["template"]["metadata"]["labels"];
        foreach (var kind in new[] { "Service", "PodDisruptionBudget" })
        {
            var selector = Single(documents, kind)["spec"]["selector"];
            var matchLabels = (YamlMappingNode)(kind == "Service" ? selector : selector["matchLabels"]);
            foreach (var (key, value) in matchLabels.Children)
            {
                Assert.True(labels.Children.TryGetValue(key, out var label) && label.ToString() == value.ToString(), $"the {kind} selects {key}={value}, which the pods do not carry");
            }
        }
    }

    private static IEnumerable<(string File, YamlMappingNode Root)> KubernetesDocuments() =>
        Directory.EnumerateFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Order()
            .SelectMany(file => Load(File.ReadAllText(file)).Select(d => (Path.GetFileName(file), (YamlMappingNode)d.RootNode)));

    private static IReadOnlyList<YamlDocument> Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents];
    }

    private static YamlMappingNode Single(IEnumerable<(string File, YamlMappingNode Root)> documents, string kind) =>
        Assert.Single(documents, d => Scalar(d.Root, "kind") == kind).Root;

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return "";
            }
            node = child;
        }
        return node is YamlScalarNode scalar ? scalar.Value ?? "" : "";
    }
}
