// Command pulumi-language-nodejs is Majordome's own, minimal Node.js language host for the Pulumi engine.
//
// Why it exists: the official host is a Go module that the Go module proxy available to this project does
// not serve, so it cannot be built from source here. The engine only needs a small contract from a language
// host: serve the LanguageRuntime gRPC service, report the program's provider packages, and run the program
// with `node @pulumi/pulumi/cmd/run`, passing the engine, monitor and configuration the way the Node.js SDK
// reads them. Where an official `pulumi` installation is on PATH, Majordome uses that one instead.
//
// It implements what `pulumi preview|up|refresh|destroy` and the Automation API use (Handshake,
// GetPluginInfo, GetRequiredPackages, Run, InstallDependencies, GetProgramDependencies, About) and answers
// "unimplemented" for code generation and plugin packing, which Majordome never asks of it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set at link time to the @pulumi/pulumi version this host is paired with.
var version = "3.248.0"

// The SDK exits with this code after it has already shown the user an actionable message.
const exitAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.String("tracing", "", "ignored: tracing endpoint")
	flag.String("runtime", "nodejs", "ignored: only nodejs is supported")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	h := &host{}
	if flag.NArg() > 0 {
		h.engineAddress = flag.Arg(0)
	}
	cancel := make(chan bool)
	if h.engineAddress != "" {
		// Exit when the engine goes away, so no host outlives an interrupted run.
		if err := rpcutil.Healthcheck(context.Background(), h.engineAddress, 5*time.Minute, func() { close(cancel) }); err != nil {
			fail(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fail(fmt.Errorf("could not start the language host: %w", err))
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (majordome): %v\n", err)
	os.Exit(1)
}

// Handshake records the engine address when the engine starts us without one on the command line.
func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if h.engineAddress == "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports our version.
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// GetRequiredPackages lists the provider packages the program depends on: every package under the
// program's node_modules whose package.json says `"pulumi": {"resource": true}`.
func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := findNodeModules(req.GetInfo().GetProgramDirectory())
	if dir == "" {
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	seen := map[string]bool{}
	var deps []*pulumirpc.PackageDependency
	candidates, _ := filepath.Glob(filepath.Join(dir, "*", "package.json"))
	scoped, _ := filepath.Glob(filepath.Join(dir, "@*", "*", "package.json"))
	candidates = append(candidates, scoped...)
	sort.Strings(candidates)
	for _, file := range candidates {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var p packageJSON
		if json.Unmarshal(data, &p) != nil || !p.Pulumi.Resource {
			continue
		}
		name := p.Pulumi.Name
		if name == "" {
			name = filepath.Base(filepath.Dir(file))
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		deps = append(deps, &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: "v" + trimV(v), Server: p.Pulumi.Server})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func trimV(v string) string {
	if len(v) > 0 && v[0] == 'v' {
		return v[1:]
	}
	return v
}

// findNodeModules returns the nearest node_modules folder at or above dir.
func findNodeModules(dir string) string {
	for d := dir; d != ""; {
		candidate := filepath.Join(d, "node_modules")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
	return ""
}

// Run starts `node @pulumi/pulumi/cmd/run <entry point>` with the engine's arguments and configuration, and
// waits for it.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the PATH"}, nil
	}
	modules := findNodeModules(programDir)
	runPath := filepath.Join(modules, "@pulumi", "pulumi", "cmd", "run")
	if modules == "" {
		return &pulumirpc.RunResponse{Error: "could not find node_modules/@pulumi/pulumi above " + programDir + ": run npm install"}, nil
	}
	if _, err := os.Stat(runPath); err != nil {
		return &pulumirpc.RunResponse{Error: "could not find " + runPath + ": run npm install"}, nil
	}

	// The configuration holds decrypted secrets (SSH private keys, OVH credentials). The official host passes
	// it in the program's environment, where /proc/<pid>/environ shows it for the process's whole life; this
	// one writes it to a file readable by this user only, in a private folder, and a preload script moves it
	// into the program's memory and deletes the folder before the SDK starts.
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys, _ := json.Marshal(orEmpty(req.GetConfigSecretKeys()))
	private, err := os.MkdirTemp("", "majordome-config-")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not create a private folder for the configuration: " + err.Error()}, nil
	}
	defer os.RemoveAll(private)
	payload, _ := json.Marshal(map[string]string{"config": cfg, "secretKeys": string(secretKeys)})
	configFile := filepath.Join(private, "config.json")
	preload := filepath.Join(private, "load-config.js")
	if err := os.WriteFile(configFile, payload, 0o600); err != nil {
		return &pulumirpc.RunResponse{Error: "could not write the configuration: " + err.Error()}, nil
	}
	if err := os.WriteFile(preload, []byte(preloadScript), 0o600); err != nil {
		return &pulumirpc.RunResponse{Error: "could not write the configuration loader: " + err.Error()}, nil
	}

	args := []string{"--require", preload, runPath}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env := append(withoutConfig(os.Environ()), "MAJORDOME_CONFIG_FILE="+configFile)
	if opts := info.GetOptions().AsMap(); opts != nil {
		// Pulumi.yaml `runtime.options.typescript: false` turns off ts-node: the program is precompiled JS.
		if ts, ok := opts["typescript"].(bool); ok {
			env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(ts))
		}
		if p, ok := opts["tsconfig"].(string); ok && p != "" {
			env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// configJSON renders config the way the Node.js SDK reads PULUMI_CONFIG (`<namespace>:config:<name>` keys,
// which every SDK version understands).
func configJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", fmt.Errorf("invalid config key %q: %w", k, err)
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	data, err := json.Marshal(out)
	return string(data), err
}

// preloadScript runs in the program's process before @pulumi/pulumi: it reads the configuration file into
// process.env (memory only; /proc/<pid>/environ keeps the original block) and deletes the private folder.
const preloadScript = `"use strict";
const fs = require("fs");
const path = require("path");
const file = process.env.MAJORDOME_CONFIG_FILE;
delete process.env.MAJORDOME_CONFIG_FILE;
if (file) {
  const { config, secretKeys } = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  process.env.PULUMI_CONFIG = config;
  process.env.PULUMI_CONFIG_SECRET_KEYS = secretKeys;
}
`

// withoutConfig drops any configuration variables inherited from the engine's own environment.
func withoutConfig(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "PULUMI_CONFIG=") || strings.HasPrefix(kv, "PULUMI_CONFIG_SECRET_KEYS=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// InstallDependencies is a no-op: Majordome installs its npm packages itself (`npm ci`).
func (h *host) InstallDependencies(_ *pulumirpc.InstallDependenciesRequest, _ pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return nil
}

// GetProgramDependencies reports the program's direct npm dependencies (for `pulumi about`).
func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	data, err := os.ReadFile(filepath.Join(req.GetInfo().GetProgramDirectory(), "package.json"))
	if err == nil {
		_ = json.Unmarshal(data, &pkg)
	}
	var deps []*pulumirpc.DependencyInfo
	for name, v := range pkg.Dependencies {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: trimV(v)})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// About describes the runtime.
func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, _ := exec.Command("node", "--version").Output()
	return &pulumirpc.AboutResponse{Executable: "node", Version: string(out), Metadata: map[string]string{"host": "majordome", "os": runtime.GOOS}}, nil
}
