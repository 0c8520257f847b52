// Command emulator-client drives the Majordome OVH emulator with the real OVH Go client library (go-ovh, the
// client the OVH Terraform/Pulumi provider uses), to prove that the emulator's signing, time handshake, JSON
// typing and error format are what that client expects. It prints one JSON object with what it observed.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ovh/go-ovh/ovh"
)

type network struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	VlanID  int    `json:"vlanId"`
	Status  string `json:"status"`
	Regions []struct {
		Region      string `json:"region"`
		Status      string `json:"status"`
		OpenstackID string `json:"openstackId"`
	} `json:"regions"`
}

type cloudUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Status   string `json:"status"`
}

func main() {
	endpoint, project := os.Args[1], os.Args[2]
	client, err := ovh.NewClient(endpoint, "majordome-emulator-ak", "majordome-emulator-as", "majordome-emulator-ck")
	if err != nil {
		fail(err)
	}
	out := map[string]any{}

	var details struct {
		Account string `json:"account"`
	}
	if err := client.Get("/auth/details", &details); err != nil {
		fail(fmt.Errorf("auth/details: %w", err))
	}
	out["account"] = details.Account

	var created network
	body := map[string]any{"serviceName": project, "vlanId": 42, "name": "go-ovh-net", "regions": []string{"GRA11"}}
	if err := client.Post("/cloud/project/"+project+"/network/private", body, &created); err != nil {
		fail(fmt.Errorf("create network: %w", err))
	}
	var read network
	if err := client.Get("/cloud/project/"+project+"/network/private/"+created.ID, &read); err != nil {
		fail(fmt.Errorf("read network: %w", err))
	}
	out["network"] = read

	var user cloudUser
	if err := client.Post("/cloud/project/"+project+"/user", map[string]any{"description": "go-ovh", "roles": []string{"objectstore_operator"}}, &user); err != nil {
		fail(fmt.Errorf("create user: %w", err))
	}
	out["userIdIsInteger"] = user.ID > 0
	var creds struct {
		Access string `json:"access"`
		Secret string `json:"secret"`
	}
	// A body-less POST: signed over an empty body.
	if err := client.Post(fmt.Sprintf("/cloud/project/%s/user/%d/s3Credentials", project, user.ID), nil, &creds); err != nil {
		fail(fmt.Errorf("s3 credentials: %w", err))
	}
	out["s3AccessLength"] = len(creds.Access)

	err = client.Get("/cloud/project/"+project+"/network/private/pn-0_0", &read)
	var apiErr *ovh.APIError
	if errors.As(err, &apiErr) {
		out["notFound"] = map[string]any{"code": apiErr.Code, "class": apiErr.Class, "message": apiErr.Message}
	} else {
		fail(fmt.Errorf("expected an APIError, got %v", err))
	}
	if err := client.Delete("/cloud/project/"+project+"/network/private/"+created.ID, nil); err != nil {
		fail(fmt.Errorf("delete network: %w", err))
	}
	data, _ := json.Marshal(out)
	fmt.Println(string(data))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
